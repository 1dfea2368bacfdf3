// First, before any dependency loads: see quiet-deps.ts.
import './quiet-deps.js';
import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdinIsTTY: Boolean(process.stdin.isTTY),
});
