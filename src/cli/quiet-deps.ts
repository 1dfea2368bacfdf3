/**
 * Runs before any dependency is loaded (the first import of main.ts). The `debug` package
 * reads DEBUG once, when it loads: with DEBUG=* follow-redirects (under node-vault's axios)
 * prints each request's options, X-Vault-Token header included, and node-vault its request
 * bodies — unseal shares among them. Nothing here is worth that, so debug output of
 * dependencies is off for good. Commands that steps run inherit this environment; they do not
 * get DEBUG/NODE_DEBUG either (a step that needs them sets them in its own `env:`).
 * NODE_DEBUG is read by Node itself before this runs, and NODE_DEBUG=http makes Node print each
 * request's options — the Vault client's X-Vault-Token header and TLS material with them.
 * Clearing it here is too late, so a run with it set is refused before anything is read.
 */
if (process.env.NODE_DEBUG?.trim()) {
  process.stderr.write(
    'vault-runbook: NODE_DEBUG is set, and Node would print request headers (Vault tokens) with it: unset NODE_DEBUG and run again\n',
  );
  process.exit(2);
}
for (const name of Object.keys(process.env))
  if (name === 'DEBUG' || name.startsWith('DEBUG_') || name === 'NODE_DEBUG')
    delete process.env[name];

// The AWS SDK warns on every start under Node 20 that its 2027 releases will need Node 22:
// noise on an operator's screen (over the TUI's first frame) and in the stderr of `--json`
// pipes. Its documented switch, set before anything can load the SDK; other warnings still show.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
