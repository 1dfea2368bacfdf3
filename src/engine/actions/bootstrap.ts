import { auditEnableAction, revokeSelfAction, tokenCreateAction } from './operator.js';
import { keyholderHandoffAction } from './handoff.js';
import { initAction, initPlanAction, uninitializedCheck } from './init.js';
import type { AnyAction } from './types.js';
import { revokeRootTokensAction, tokenLookupAction } from './ceremony-root.js';

/** The bootstrap ceremony's actions (runbooks/bootstrap-ceremony.yaml). */
export const bootstrapActions: AnyAction[] = [
  uninitializedCheck,
  initPlanAction,
  initAction,
  keyholderHandoffAction,
  auditEnableAction,
  tokenCreateAction,
  revokeSelfAction,
  tokenLookupAction,
  revokeRootTokensAction,
];
