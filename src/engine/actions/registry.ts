import type { AnyAction } from './types.js';

export class ActionRegistry {
  readonly #actions = new Map<string, AnyAction>();
  constructor(actions: readonly AnyAction[] = []) {
    for (const a of actions) this.register(a);
  }
  register(action: AnyAction): void {
    if (this.#actions.has(action.id)) throw new Error(`action '${action.id}' is registered twice`);
    this.#actions.set(action.id, action);
  }
  get(id: string): AnyAction | undefined {
    return this.#actions.get(id);
  }
  ids(): ReadonlySet<string> {
    return new Set(this.#actions.keys());
  }
  list(): AnyAction[] {
    return [...this.#actions.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
  /** Lint: a step's `with` checked against the action's input, skipping `${{ }}` values. */
  checkWith(
    uses: string,
    withValue: Record<string, unknown>,
  ): { path: (string | number)[]; message: string }[] {
    const action = this.get(uses);
    if (!action) return [];
    const literal = JSON.stringify(withValue).includes('${{');
    const result = action.input.safeParse(withValue);
    if (result.success) return [];
    return result.error.issues
      .filter((i) => !literal || i.code === 'unrecognized_keys')
      .map((i) => ({
        path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
        message:
          i.code === 'unrecognized_keys'
            ? `unknown input ${i.keys.map((k) => `'${k}'`).join(', ')} for ${uses}`
            : `${uses}: ${i.message}`,
      }));
  }
}
