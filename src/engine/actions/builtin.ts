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
import { upgradeActions } from './upgrade.js';
import { vaultActions } from './vault.js';
// region failover / failback
import { divergenceAction, replicationResumeAction, syncAction } from './failback.js';
import { assessAction } from './failover-assess.js';
import { declareAction, fenceAction, insistAction, rtoAction } from './failover.js';
import {
  asgScaleAction,
  asgWaitAction,
  canaryAction,
  dnsPointAction,
  lockCheckAction,
} from './failover-steps.js';

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
    // region failover / failback
    assessAction,
    insistAction,
    declareAction,
    fenceAction,
    lockCheckAction,
    asgScaleAction,
    asgWaitAction,
    dnsPointAction,
    canaryAction,
    rtoAction,
    divergenceAction,
    syncAction,
    replicationResumeAction,
    // S3 secret recovery (runbooks/s3-secret-recovery.yaml)
    ...s3RecoveryActions,
    // rolling-upgrade, replace-node, rollback-upgrade
    ...upgradeActions,
    ...extra,
  ]);
}
