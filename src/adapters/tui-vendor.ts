import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCommonJs } from './code-cache.js';
import { cacheDir } from './paths.js';

/**
 * The TUI's libraries (dist/bundle/tui-vendor.cjs, made by scripts/bundle.mjs), run with the
 * code cache kept in the user's cache directory. VAULT_RUNBOOK_NO_CODE_CACHE=1 compiles them
 * from source as before (the benchmark's baseline, and a way out should a cache ever misbehave).
 */
export function loadVendor(url: URL, yoga: unknown): unknown {
  const env = process.env;
  const dir = env.VAULT_RUNBOOK_NO_CODE_CACHE ? undefined : join(cacheDir(env), 'code-cache');
  // A cache that cannot be written costs the next start its speed, nothing else: the TUI owns
  // the terminal by then, and a line on it would break its frame, so nothing is said.
  return loadCommonJs(fileURLToPath(url), { 'yoga-layout': yoga }, { dir }).exports;
}
