import type { Ec2Instance } from './aws.js';
import type { VaultNode } from './vault.js';

function hostOf(address: string): string {
  try {
    return new URL(address).hostname;
  } catch {
    return address;
  }
}

/**
 * An instance stands behind a node when its address tag, host tag or private IP names the node.
 * One rule for the upgrade's node list and the status pane's rows; this module imports types
 * only, so the status path loads no action.
 */
export function instanceFor<I extends Ec2Instance>(
  node: Pick<VaultNode, 'address'>,
  instances: readonly I[],
): I | undefined {
  const host = hostOf(node.address);
  return instances.find(
    (i) =>
      i.tags['vault-runbook:address'] === node.address ||
      i.tags['vault-runbook:host'] === host ||
      i.privateIp === host,
  );
}
