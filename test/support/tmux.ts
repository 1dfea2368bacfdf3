import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * `env -i NAME=value …` for a tmux session's command line: the CLI in tmux sees the test's
 * state dirs, sandbox slot, token, HOME and PATH and nothing else of the runner's environment
 * (CI=true would make it headless). The values are the test's own paths and tokens.
 */
export function tmuxEnv(env: NodeJS.ProcessEnv): string {
  const vars = Object.entries(env)
    .filter(([k]) => /^(XDG_|VAULT_RUNBOOK_SANDBOX_SLOT$|VAULT_TOKEN$|HOME$|PATH$)/.test(k))
    .map(([k, v]) => `${k}=${v ?? ''}`);
  return `env -i ${vars.join(' ')}`;
}

/**
 * A private tmux server (its own socket): a test never touches a developer's own sessions.
 * capture-pane shows what a person would see; send-keys types as they would.
 */
export class Tmux {
  constructor(readonly socket: string) {}

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** A detached session of the given size running `command` (a shell line of the test's own). */
  start(name: string, command: string, cols = 160, rows = 60): void {
    this.run('new-session', '-d', '-s', name, '-x', String(cols), '-y', String(rows), command);
  }

  capture(name: string): string {
    return this.run('capture-pane', '-p', '-t', name);
  }

  /** Types text literally (a share, a name), then Enter. */
  type(name: string, text: string): void {
    this.run('send-keys', '-t', name, '-l', text);
    this.run('send-keys', '-t', name, 'Enter');
  }

  keys(name: string, ...k: string[]): void {
    this.run('send-keys', '-t', name, ...k);
  }

  /** Waits for the screen to satisfy `want`; every screen seen goes to `seen` (for leak checks). */
  async waitFor(
    name: string,
    want: string | RegExp | ((screen: string) => boolean),
    timeoutMs: number,
    seen?: string[],
  ): Promise<string> {
    const ok =
      typeof want === 'function'
        ? want
        : typeof want === 'string'
          ? (s: string) => s.includes(want)
          : (s: string) => want.test(s);
    const end = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture(name);
      seen?.push(screen);
      if (ok(screen)) return screen;
      if (Date.now() > end) throw new Error(`timed out waiting for ${String(want)} in:\n${screen}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  kill(name: string): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-session', '-t', name]);
  }

  /** Stops the server and removes its socket file (kill-server leaves it behind). */
  stop(): void {
    const socket = spawnSync(
      'tmux',
      ['-L', this.socket, 'display-message', '-p', '#{socket_path}'],
      {
        encoding: 'utf8',
      },
    ).stdout.trim();
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    if (socket) rmSync(socket, { force: true });
  }
}
