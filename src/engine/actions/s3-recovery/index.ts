import type { AnyAction } from '../types.js';
import { inPlaceActions } from './in-place.js';
import { kv2OwnVersionsAction } from './kv2.js';
import { quarantineActions } from './quarantine.js';
import { selectActions } from './select.js';

/** The actions of runbooks/s3-secret-recovery.yaml. */
export const s3RecoveryActions: readonly AnyAction[] = [
  ...selectActions,
  kv2OwnVersionsAction,
  ...inPlaceActions,
  ...quarantineActions,
];
