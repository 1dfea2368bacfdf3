// Ink measures and splits every line of every frame with string-width, slice-ansi and
// @alcalzone/ansi-tokenize, and each of them splits text into graphemes with Intl.Segmenter
// (one ICU call and one object per character) and tests them against emoji regular expressions
// that V8 builds from ICU's Unicode data the first time they run. For the TUI's first frame
// that was a fifth of all the work — for box-drawing lines, arrows and middle dots. For text
// made only of the characters below, the answer is known without ICU: each UTF-16 unit is a
// grapheme of its own and one column wide. scripts/bundle.mjs gives the three libraries this
// module's segmenter and string-width this test; any other text takes their own path.

/**
 * Characters that string-width, slice-ansi and ansi-tokenize (as installed) treat as one column
 * wide, that are not emoji, and that are graphemes of their own next to a letter, before a
 * letter and next to themselves. Printed by scripts/narrow-text.mjs; narrow-text.test.ts
 * checks every one against the libraries themselves.
 */
const NARROW =
  '\\u0020-\\u007E\\u00A0-\\u00A8\\u00AA-\\u00AC\\u00AF-\\u02FF\\u0370-\\u0482\\u048A-\\u0590\\u05BE\\u05C0' +
  '\\u05C3\\u05C6\\u05C8-\\u05FF\\u0606-\\u060F\\u061B\\u061D-\\u064A\\u0660-\\u066F\\u0671-\\u06D5' +
  '\\u06DE\\u06E5-\\u06E6\\u06E9\\u06EE-\\u070E\\u0710\\u0712-\\u072F\\u074B-\\u07A5\\u07B1-\\u07EA' +
  '\\u07F4-\\u07FC\\u07FE-\\u0815\\u081A\\u0824\\u0828\\u082E-\\u0858\\u085C-\\u088F\\u0892-\\u0896' +
  '\\u08A0-\\u08C9\\u0904-\\u0939\\u093D\\u0950\\u0958-\\u0961\\u0964-\\u0980\\u0984-\\u09BB\\u09BD' +
  '\\u09C5-\\u09C6\\u09C9-\\u09CA\\u09CE-\\u09D6\\u09D8-\\u09E1\\u09E4-\\u09FD\\u09FF-\\u0A00\\u0A04-\\u0A3B\\u0A3D' +
  '\\u0A43-\\u0A46\\u0A49-\\u0A4A\\u0A4E-\\u0A50\\u0A52-\\u0A6F\\u0A72-\\u0A74\\u0A76-\\u0A80\\u0A84-\\u0ABB\\u0ABD' +
  '\\u0AC6\\u0ACA\\u0ACE-\\u0AE1\\u0AE4-\\u0AF9\\u0B00\\u0B04-\\u0B3B\\u0B3D\\u0B45-\\u0B46' +
  '\\u0B49-\\u0B4A\\u0B4E-\\u0B54\\u0B58-\\u0B61\\u0B64-\\u0B81\\u0B83-\\u0BBD\\u0BC3-\\u0BC5\\u0BC9\\u0BCE-\\u0BD6' +
  '\\u0BD8-\\u0BFF\\u0C05-\\u0C3B\\u0C3D\\u0C45\\u0C49\\u0C4E-\\u0C54\\u0C57-\\u0C61\\u0C64-\\u0C80' +
  '\\u0C84-\\u0CBB\\u0CBD\\u0CC5\\u0CC9\\u0CCE-\\u0CD4\\u0CD7-\\u0CE1\\u0CE4-\\u0CF2\\u0CF4-\\u0CFF' +
  '\\u0D04-\\u0D3A\\u0D3D\\u0D45\\u0D49\\u0D4F-\\u0D56\\u0D58-\\u0D61\\u0D64-\\u0D80\\u0D84-\\u0DC9' +
  '\\u0DCB-\\u0DCE\\u0DD5\\u0DD7\\u0DE0-\\u0DF1\\u0DF4-\\u0E30\\u0E32\\u0E3B-\\u0E46\\u0E4F-\\u0EB0' +
  '\\u0EB2\\u0EBD-\\u0EC7\\u0ECF-\\u0F17\\u0F1A-\\u0F34\\u0F36\\u0F38\\u0F3A-\\u0F3D\\u0F40-\\u0F70' +
  '\\u0F85\\u0F88-\\u0F8C\\u0F98\\u0FBD-\\u0FC5\\u0FC7-\\u102C\\u1038\\u103F-\\u1055\\u105A-\\u105D' +
  '\\u1061-\\u1070\\u1075-\\u1081\\u1083\\u1087-\\u108C\\u108E-\\u109C\\u109E-\\u10FF\\u1200-\\u135C\\u1360-\\u1711' +
  '\\u1716-\\u1731\\u1735-\\u1751\\u1754-\\u1771\\u1774-\\u17B3\\u17D4-\\u17DC\\u17DE-\\u180A\\u1810-\\u1884\\u1887-\\u18A8' +
  '\\u18AA-\\u191F\\u192C-\\u192F\\u193C-\\u1A16\\u1A1C-\\u1A54\\u1A5F\\u1A61\\u1A63-\\u1A64\\u1A7D-\\u1A7E' +
  '\\u1A80-\\u1AAF\\u1ADE-\\u1ADF\\u1AEC-\\u1AFF\\u1B05-\\u1B33\\u1B45-\\u1B6A\\u1B74-\\u1B7F\\u1B83-\\u1BA0\\u1BAE-\\u1BE5' +
  '\\u1BF4-\\u1C23\\u1C38-\\u1CCF\\u1CD3\\u1CE9-\\u1CEC\\u1CEE-\\u1CF3\\u1CF5-\\u1CF6\\u1CFA-\\u1DBF\\u1E00-\\u200A' +
  '\\u2010-\\u2029\\u202F-\\u203B\\u203D-\\u2048\\u204A-\\u205F\\u2070-\\u20CF\\u20F1-\\u2121\\u2123-\\u2138\\u213A-\\u2193' +
  '\\u219A-\\u21A8\\u21AB-\\u2319\\u231C-\\u2327\\u232B-\\u23CE\\u23D0-\\u23E8\\u23F4-\\u23F7\\u23FB-\\u24C1\\u24C3-\\u25A9' +
  '\\u25AC-\\u25B5\\u25B7-\\u25BF\\u25C1-\\u25FA\\u25FF\\u2605-\\u260D\\u260F-\\u2610\\u2612-\\u2613\\u2616-\\u2617' +
  '\\u2619-\\u261C\\u261E-\\u261F\\u2621\\u2624-\\u2625\\u2627-\\u2629\\u262B-\\u262D\\u263B-\\u263F\\u2641' +
  '\\u2643-\\u2647\\u2654-\\u265E\\u2661-\\u2662\\u2664\\u2667\\u2669-\\u267A\\u267C-\\u267D\\u2680-\\u2689' +
  '\\u2690-\\u2691\\u2698\\u269A\\u269D-\\u269F\\u26A2-\\u26A6\\u26A8-\\u26A9\\u26AC-\\u26AF\\u26B2-\\u26BC' +
  '\\u26BF-\\u26C3\\u26C6-\\u26C7\\u26C9-\\u26CD\\u26D0\\u26D2\\u26D5-\\u26E8\\u26EB-\\u26EF\\u26F6' +
  '\\u26FB-\\u26FC\\u26FE-\\u2701\\u2703-\\u2704\\u2706-\\u2707\\u270E\\u2710-\\u2711\\u2713\\u2715' +
  '\\u2717-\\u271C\\u271E-\\u2720\\u2722-\\u2727\\u2729-\\u2732\\u2735-\\u2743\\u2745-\\u2746\\u2748-\\u274B\\u274D' +
  '\\u274F-\\u2752\\u2756\\u2758-\\u2762\\u2765-\\u2794\\u2798-\\u27A0\\u27A2-\\u27AF\\u27B1-\\u27BE\\u27C0-\\u2933' +
  '\\u2936-\\u2B04\\u2B08-\\u2B1A\\u2B1D-\\u2B4F\\u2B51-\\u2B54\\u2B56-\\u2CEE\\u2CF2-\\u2D7E\\u2D80-\\u2DDF\\u2E00-\\u2E7F' +
  '\\u2E9A\\u2EF4-\\u2EFF\\u2FD6-\\u2FEF';

/** Controls other than CR are graphemes of their own too (only CR LF is one); zero columns. */
const CONTROLS = '\\u0000-\\u000C\\u000E-\\u001F\\u007F';

// The classes hold a few marks that are graphemes of their own (narrow-text.test.ts asks Intl):
// one UTF-16 unit at a time is what is meant, which is what the lint rule warns about.
/* eslint-disable no-misleading-character-class */
const NARROW_TEXT = new RegExp(`^[${NARROW}]*$`);
const UNIT_GRAPHEMES = new RegExp(`^[${NARROW}${CONTROLS}]*$`);
/* eslint-enable no-misleading-character-class */

/** Whether every character of `text` is one of the narrow ones: its width is its length. */
export function isNarrowText(text: string): boolean {
  return NARROW_TEXT.test(text);
}

export interface GraphemeSegment {
  readonly segment: string;
  readonly index: number;
  readonly input: string;
}

export interface GraphemeSegments extends Iterable<GraphemeSegment> {
  containing(index?: number): GraphemeSegment | undefined;
}

/** Intl's segments for a text of one-unit graphemes, without asking ICU. */
class UnitSegments implements GraphemeSegments {
  constructor(private readonly input: string) {}

  *[Symbol.iterator](): Iterator<GraphemeSegment> {
    const { input } = this;
    for (let index = 0; index < input.length; index++)
      yield { segment: input[index] as string, index, input };
  }

  /** As Intl's: the index is made an integer; none outside the text. */
  containing(index: number = 0): GraphemeSegment | undefined {
    const i = Math.trunc(Number(index)) || 0;
    if (i < 0 || i >= this.input.length) return undefined;
    return { segment: this.input[i] as string, index: i, input: this.input };
  }
}

/**
 * What `new Intl.Segmenter(undefined, { granularity: 'grapheme' })` is to those libraries:
 * its `segment()` answers for text of one-unit graphemes itself, and hands any other text to a
 * real segmenter, made the first time one is needed.
 */
export function graphemeSegmenter(): { segment(text: string): GraphemeSegments } {
  let intl: Intl.Segmenter | undefined;
  return {
    segment(text: string): GraphemeSegments {
      if (UNIT_GRAPHEMES.test(text)) return new UnitSegments(text);
      intl ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
      return intl.segment(text);
    },
  };
}
