import { Text } from 'ink';
import type { Secret } from '../../domain/secret.js';

/**
 * The screen is an output device like the clipboard: this is the one component that puts a
 * secret's plaintext on it (a keyholder's share or token, while they record it). The lint rule
 * against `.reveal()` outside adapters names this file as its only exception in ui/.
 */
export function SecretText(props: { secret: Secret }) {
  return <Text bold>{props.secret.reveal()}</Text>;
}
