import { awsActions } from './aws.js';
import { bootstrapActions } from './bootstrap.js';
import { rootTokenActions } from './generate-root.js';
import { humanActions } from './human.js';
import { rekeyActions } from './rekey.js';
import { ActionRegistry } from './registry.js';
import { shellAction } from './shell.js';
import type { AnyAction } from './types.js';
import { unsealSharesAction } from './unseal.js';
import { upgradeActions } from './upgrade.js';
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
    // rolling-upgrade, replace-node, rollback-upgrade
    ...upgradeActions,
    ...extra,
  ]);
}
