import { isMap, isPair, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import type { Diagnostic } from './errors.js';
import type { Path } from './yaml-values.js';

export type { Path } from './yaml-values.js';

/** Turns document paths and offsets inside scalars into `file:line:col`. */
export class Locator {
  constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    readonly lc: LineCounter,
    readonly text: string,
  ) {}
  at(offset: number, message: string): Diagnostic {
    const { line, col } = this.lc.linePos(offset);
    return { file: this.file, line, col, message };
  }
  /** The node at `path`, or the deepest existing ancestor when the path runs off the document. */
  nodeAt(path: Path): Node | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      if (node && typeof node === 'object' && 'range' in node) return node as Node;
    }
    return undefined;
  }
  keyAt(path: Path, key: string): Node | undefined {
    const parent = this.nodeAt(path);
    if (!isMap(parent)) return parent ?? undefined;
    // As a plain value has it: `1:` is key '1', `~:` key 'null'.
    const pair = parent.items.find(
      (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key,
    );
    return (pair?.key as Node | undefined) ?? parent;
  }
  offsetOf(node: Node | undefined): number {
    return node?.range?.[0] ?? 0;
  }
  /**
   * Offset in the source of a character inside a scalar's value: exact for one-line scalars
   * and literal blocks (`|`), the scalar's start for folded ones.
   */
  offsetInScalar(node: Node, inner: number): number {
    const start = node.range?.[0] ?? 0;
    if (!isScalar(node)) return start;
    switch (node.type) {
      case 'PLAIN':
        return start + inner;
      case 'QUOTE_DOUBLE':
      case 'QUOTE_SINGLE':
        return start + 1 + inner;
      case 'BLOCK_LITERAL':
        return this.#inLiteralBlock(node, start, inner);
      case 'BLOCK_FOLDED':
      case undefined:
        return start;
    }
  }
  /** A literal block keeps its lines: value line k is source line k after the header. */
  #inLiteralBlock(node: Node, start: number, inner: number): number {
    const value = isScalar(node) && typeof node.value === 'string' ? node.value : '';
    const end = node.range?.[1] ?? this.text.length;
    const body = this.text.slice(start, end);
    let pos = body.indexOf('\n') + 1;
    if (pos === 0) return start;
    const indent = /^( *)\S/m.exec(body.slice(pos))?.[1]?.length ?? 0;
    const before = value.slice(0, inner);
    const line = before.split('\n').length - 1;
    const col = inner - (before.lastIndexOf('\n') + 1);
    for (let k = 0; k < line; k++) {
      const nl = body.indexOf('\n', pos);
      if (nl < 0) return start;
      pos = nl + 1;
    }
    return start + pos + indent + col;
  }
}
