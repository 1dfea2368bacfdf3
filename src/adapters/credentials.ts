import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../domain/secret.js';
import { MemoryCredentials } from '../engine/operator-token.js';

/**
 * The operator's token as the `vault` CLI finds it: VAULT_TOKEN, else the default token
 * helper's file ~/.vault-token. Read once, when the run's ports are built.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): MemoryCredentials {
  const fromEnv = env.VAULT_TOKEN?.trim();
  if (fromEnv)
    return new MemoryCredentials({
      token: new Secret(fromEnv, 'operator token'),
      source: 'VAULT_TOKEN',
    });
  const file = join(env.HOME ?? homedir(), '.vault-token');
  let text = '';
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    // No token file (the usual case): the step that needs a token asks for one.
  }
  return text
    ? new MemoryCredentials({ token: new Secret(text, 'operator token'), source: file })
    : new MemoryCredentials();
}
