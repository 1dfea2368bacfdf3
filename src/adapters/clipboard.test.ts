import { Secret } from '../domain/secret.js';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClipboard } from '../test-support/clipboard.js';
import { clipboardContract } from '../test-support/clipboard-contract.js';
import { SystemClipboard } from './clipboard.js';

/*
 * This machine (and CI) has no display server, so the real adapter runs here through the real
 * clipboardy and its real xsel process calls, with `xsel` on PATH answered by a script that
 * keeps the selection in a file: only the X server is stood in for. The bundled xsel fallback
 * clipboardy tries when ours fails finds no display and fails too, as on an SSH session.
 */
const XSEL = `#!/bin/sh
[ -e "$VR_XSEL_FILE.broken" ] && { echo "xsel: Can't open display" >&2; exit 1; }
case "$*" in
  *--input*) cat > "$VR_XSEL_FILE.new" && mv "$VR_XSEL_FILE.new" "$VR_XSEL_FILE" ;;
  *--output*) [ -e "$VR_XSEL_FILE" ] && cat "$VR_XSEL_FILE" ;;
esac
exit 0
`;

const saved = { ...process.env };
let dir = '';
let n = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vr-clip-'));
  writeFileSync(join(dir, 'xsel'), XSEL);
  chmodSync(join(dir, 'xsel'), 0o755);
  process.env.PATH = `${dir}:${process.env.PATH ?? ''}`;
  delete process.env.DISPLAY;
  delete process.env.WAYLAND_DISPLAY;
});
afterAll(() => {
  process.env = saved;
});

/** A fresh selection file per test; the script reads its name from the environment. */
function selection(): string {
  const file = join(dir, `selection-${n++}`);
  process.env.VR_XSEL_FILE = file;
  return file;
}

clipboardContract('SystemClipboard (clipboardy, xsel)', () => {
  const file = selection();
  const peek = (): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  return Promise.resolve({
    port: new SystemClipboard({ report: () => undefined }),
    peek: () => Promise.resolve(peek()),
    copyElsewhere: (text) => Promise.resolve(writeFileSync(file, text)),
    breakIt: () => Promise.resolve(writeFileSync(`${file}.broken`, '')),
  });
});

clipboardContract('FakeClipboard', () => {
  const fake = new FakeClipboard();
  return Promise.resolve({
    port: fake,
    peek: () => Promise.resolve(fake.contents),
    copyElsewhere: (text) => Promise.resolve(void (fake.contents = text)),
    breakIt: () => Promise.resolve(void (fake.broken = 'no display')),
  });
});

describe('SystemClipboard at process exit', () => {
  it('Given a share still on the clipboard, When the process exits, Then it is cleared and that is said', async () => {
    const file = selection();
    const clip = new SystemClipboard({ report: () => undefined });
    await clip.copy(new Secret('hvs.exit-share'), 3_600_000);
    expect(clip.clearSync()).toEqual({ kind: 'cleared' });
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('Given the clipboard broke after the copy, When the process exits, Then the clear says failed, not cleared', async () => {
    const file = selection();
    const clip = new SystemClipboard({ report: () => undefined });
    await clip.copy(new Secret('hvs.exit-share'), 3_600_000);
    writeFileSync(`${file}.broken`, '');
    expect(clip.clearSync().kind).toBe('failed');
  });
});
