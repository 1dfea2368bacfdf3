// First, before any dependency loads: see quiet-deps.ts.
import './quiet-deps.js';
import { main } from './program.js';

// The AWS SDK warns on every start under Node 20 that its 2027 releases will need Node 22:
// noise in an operator's terminal and in the stderr of `--json` pipes. Its documented switch:
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdinIsTTY: Boolean(process.stdin.isTTY),
});
