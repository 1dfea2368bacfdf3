import type * as Render from '../ui/render.js';

/**
 * The TUI's modules. React and its reconciler choose their production builds from NODE_ENV
 * when they load; the development builds are several times larger and slow the first frame.
 * NODE_ENV is set only while they load: a runbook's own processes inherit the environment,
 * and a step running `npm ci` must not find NODE_ENV=production there.
 */
export async function loadTui(): Promise<typeof Render> {
  const set = process.env.NODE_ENV === undefined;
  if (set) process.env.NODE_ENV = 'production';
  try {
    return await import('../ui/render.js');
  } finally {
    if (set) delete process.env.NODE_ENV;
  }
}
