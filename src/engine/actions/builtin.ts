import { awsActions } from './aws.js';
import { bootstrapActions } from './bootstrap.js';
import { rootTokenActions } from './generate-root.js';
import { humanActions } from './human.js';
import { rekeyActions } from './rekey.js';
import { ActionRegistry } from './registry.js';
import { s3RecoveryActions } from './s3-recovery/index.js';
import { shellAction } from './shell.js';
import type { AnyAction } from './types.js';
import { unsealSharesAction } from './unseal.js';
import { vaultActions } from './vault.js';

/** Every built-in action. Vault and AWS actions are appended by their own issues' modules. */
export function builtinRegistry(extra: readonly AnyAction[] = []): ActionRegistry {
  return new ActionRegistry([
    shellAction,
    ...humanActions,
    ...vaultActions,
    unsealSharesAction,
    ...awsActions,
    ...bootstrapActions,
    ...rootTokenActions,
    ...rekeyActions,
    // S3 secret recovery (runbooks/s3-secret-recovery.yaml)
    ...s3RecoveryActions,
    ...extra,
  ]);
}
