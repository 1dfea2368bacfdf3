// The six-node sandbox the TUI and status-round benches measure against: `sandbox up` (its own
// addresses: the env's VAULT_RUNBOOK_SANDBOX_SLOT), the DR region's Auto Scaling group scaled
// to 3 so the sandbox starts 3 more Vaults, and a wait (90 s at most) until all six answer.
// `cli(args)` runs this tree's CLI with the bench's environment. Returns the sandbox's layout
// (its profileFile lists both regions' nodes) and how many nodes answered.
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function sixNodeSandbox(root, env, cli) {
  const up = cli(['sandbox', 'up']);
  if (up.status !== 0) throw new Error(`sandbox up: exit ${up.status}\n${up.stderr}`);
  const { layout, SANDBOX_CREDENTIALS } = await import(join(root, 'dist', 'sandbox', 'layout.js'));
  const l = layout(env);
  // This process loads the SDK itself: without its switch the SDK's Node-version warning lands
  // on the terminal just as a TUI starts (the CLI sets the same switch for itself).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { AutoScalingClient, SetDesiredCapacityCommand } =
    await import('@aws-sdk/client-auto-scaling');
  await new AutoScalingClient({
    region: l.regions.dr.region,
    endpoint: `http://${l.host}:${l.motoPort}`,
    credentials: { ...SANDBOX_CREDENTIALS },
  }).send(
    new SetDesiredCapacityCommand({ AutoScalingGroupName: l.regions.dr.asg, DesiredCapacity: 3 }),
  );
  let answering = 0;
  for (let i = 0; i < 90 && answering < 6; i++) {
    try {
      const j = JSON.parse(cli(['status', '--json', '--profile', l.profileFile]).stdout);
      answering = [...j.nodes, ...(j.failover?.drNodes ?? [])].filter((n) => n.reachable).length;
    } catch {
      answering = 0;
    }
    if (answering < 6) await sleep(1000);
  }
  return { layout: l, answering };
}
