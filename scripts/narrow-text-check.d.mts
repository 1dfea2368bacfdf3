/** See narrow-text-check.mjs. */
export function narrowAlone(c: string): boolean;
