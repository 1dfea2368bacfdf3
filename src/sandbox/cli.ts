import { Option, type Command } from 'commander';
import { ExitCode, UsageError } from '../domain/errors.js';
import { withDeadline } from '../domain/deadline.js';
import type { Io } from '../app/io.js';
import type { RegionKey } from './layout.js';
import { regionKey, sandboxImage, sandboxRecoveryNodes, sandboxReplication } from './api.js';
import { sandboxDown } from './down.js';
import { sandboxFault } from './fault-cli.js';
import { FAULT_KINDS } from './faults.js';
import { sandboxStatus } from './status.js';
import { sandboxUp } from './up.js';

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(`${name} needs a whole number, got '${v}'`);
    return n;
  };
}

/** Ctrl-C aborts the command in flight (never the detached supervisor it started). */
function interruptible(): { signal: AbortSignal; done: () => void } {
  const ac = new AbortController();
  const onSig = (): void => ac.abort();
  process.once('SIGINT', onSig);
  return { signal: ac.signal, done: () => process.off('SIGINT', onSig) };
}

/**
 * withSignal with a deadline whose timer holds its controller: not AbortSignal.any with
 * AbortSignal.timeout, which Node 20 can collect before it fires (domain/deadline.ts).
 */
function withSignalFor(ms: number, fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
  return withSignal((parent) => withDeadline(parent, ms, fn));
}

async function withSignal(fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const { signal, done } = interruptible();
  try {
    await fn(signal);
  } finally {
    done();
  }
}

const FAULT_HELP = `
Faults (each is a request to the running supervisor, so it works from any shell):
  seal <node>               PUT sys/seal on that node (needs VAULT_TOKEN or --token-fd)
  kill <node>               SIGKILL its Vault and mark the instance unhealthy: the ASG
                            replaces it with a new, sealed node (same name, new instance id)
  az-down <az>              kill every node in that AZ (e.g. us-east-1b); no new instance
                            goes there until the sandbox restarts
  region-down               stop the primary region's nodes, load balancer and S3 endpoint;
                            the DR bucket keeps what was replicated; replication pauses.
                            \`region-down s3-up\`: its S3 endpoint keeps answering;
                            \`region-down apis-down\`: its AWS APIs (EC2, Auto Scaling, ELB,
                            DynamoDB) stop answering too — Route 53, global, still answers
  region-up                 the primary comes back as it was left: AWS APIs, S3 endpoint
                            (data as at the failure) and load balancer; instances its ASG still holds
                            boot sealed, an ASG scaled to 0 stays empty; replication stays
                            paused until \`sandbox replication resume\`
  bad-write <path>          write a corrupt object version at that key of the primary data
                            bucket (e.g. core/keyring), for the S3 version-recovery runbook
  replication-lag <seconds> delay the emulated primary → dr replication by that much
  broken-image <ami|version> instances launched from then on from that AMI (or any AMI of
                            that Vault version) never start: for "newcomer never becomes
                            healthy" drills; \`broken-image off\` heals new launches

<node> is a name (node-1, dr-node-1), an instance id or an address.`;

export function registerSandboxCommands(
  program: Command,
  io: Io,
  setExit: (code: number) => void,
): void {
  const sandbox = program
    .command('sandbox')
    .description(
      'local training/test cluster: real Vault nodes on loopback, AWS APIs in moto, S3 in MinIO',
    );

  sandbox
    .command('up')
    .description(
      'start the sandbox (idempotent), write its profile and make it the default; returns once the primary nodes answer',
    )
    .option(
      '--vault-version <version>',
      'Vault version of the launch template’s AMI (default: the oldest built)',
    )
    .addOption(
      new Option('--timeout <seconds>', 'give up when the nodes do not answer by then')
        .default(180)
        .argParser(positiveInt('--timeout')),
    )
    .action(async (flags: { vaultVersion?: string; timeout: number }) => {
      await withSignal((signal) =>
        sandboxUp(
          io,
          {
            timeoutSeconds: flags.timeout,
            ...(flags.vaultVersion ? { vaultVersion: flags.vaultVersion } : {}),
          },
          signal,
        ),
      );
      setExit(ExitCode.ok);
    });

  sandbox
    .command('down')
    .description(
      'stop exactly the processes the sandbox started and check that no listener is left; data is kept unless --purge',
    )
    .option('--purge', 'also delete the sandbox’s own data dir (Vault data in MinIO, CA, logs)')
    .action(async (flags: { purge?: boolean }) => {
      await withSignal((signal) => sandboxDown(io, { purge: Boolean(flags.purge) }, signal));
    });

  sandbox
    .command('status')
    .description(
      'what runs: processes with pids and addresses, nodes with versions and health, faults',
    )
    .option('--json', 'one JSON document')
    .action(async (flags: { json?: boolean }) => {
      await withSignal((signal) => sandboxStatus(io, { json: Boolean(flags.json) }, signal));
    });

  sandbox
    .command('fault')
    .description(`inject a fault: ${FAULT_KINDS.join(', ')}`)
    .argument('<kind>', FAULT_KINDS.join(' | '))
    .argument('[target]', 'node, AZ, object key or seconds, depending on the kind')
    .addOption(
      new Option(
        '--token-fd <n>',
        'read the Vault token for `seal` from this file descriptor',
      ).argParser(positiveInt('--token-fd')),
    )
    .addHelpText('after', FAULT_HELP)
    .action(async (kind: string, target: string | undefined, flags: { tokenFd?: number }) => {
      await withSignalFor(60_000, (signal) =>
        sandboxFault(
          io,
          kind,
          target,
          flags.tokenFd !== undefined ? { tokenFd: flags.tokenFd } : {},
          signal,
        ),
      );
    });

  sandbox
    .command('image')
    .description(
      'register a new AMI in moto standing for a built Vault version (what image.build does on the sandbox); prints its id',
    )
    .argument('<version>', 'a Vault version in the tools cache, e.g. 1.14.8')
    .addOption(
      new Option('--region <region>', 'primary or dr').default('primary').argParser(regionKey),
    )
    .option('--json', 'one JSON document: amiId, version, region')
    .action(async (version: string, flags: { region: RegionKey; json?: boolean }) => {
      await withSignalFor(30_000, async (signal) => {
        const img = await sandboxImage(io.env, version, flags.region, signal);
        io.stdout.write(flags.json ? `${JSON.stringify(img)}\n` : `${img.amiId}\n`);
      });
    });

  sandbox
    .command('replication')
    .description('pause or resume the emulated primary → dr replication')
    .argument('<pause|resume>')
    .action(async (what: string) => {
      if (what !== 'pause' && what !== 'resume')
        throw new UsageError(`replication takes pause or resume, not '${what}'`);
      await withSignalFor(10_000, async (signal) => {
        const m = await sandboxReplication(io.env, what === 'resume', signal);
        io.stdout.write(`${m}\n`);
      });
    });

  registerRecoveryNodeCommands(sandbox, io);
}

/** `sandbox recovery-node start|stop|list`: the isolated recovery Vault of an S3 quarantine. */
function registerRecoveryNodeCommands(sandbox: Command, io: Io): void {
  const rn = sandbox
    .command('recovery-node')
    .description(
      'an isolated recovery Vault on a quarantine bucket, never behind the load balancer (S3 recovery drills)',
    );
  rn.command('start')
    .argument('<name>', 'lowercase letters, digits, dashes')
    .requiredOption('--bucket <bucket>', 'an existing quarantine bucket (never a live data bucket)')
    .option('--lock-table <table>', 'its own HA lock table (created if absent); default: no HA')
    .option('--vault-version <version>', 'default: the version the region’s nodes run')
    .addOption(
      new Option('--region <region>', 'whose S3 holds the bucket')
        .default('primary')
        .argParser(regionKey),
    )
    .action(
      async (
        name: string,
        f: { bucket: string; lockTable?: string; vaultVersion?: string; region: RegionKey },
      ) => {
        await withSignalFor(60_000, async (signal) => {
          const n = await sandboxRecoveryNodes(io.env).start(
            {
              name,
              bucket: f.bucket,
              region: f.region,
              ...(f.lockTable ? { lockTable: f.lockTable } : {}),
              ...(f.vaultVersion ? { vaultVersion: f.vaultVersion } : {}),
            },
            signal,
          );
          io.stdout.write(`${JSON.stringify(n)}\n`);
        });
      },
    );
  rn.command('stop')
    .description('stop it and delete the lock table made for it (no error when already gone)')
    .argument('<name>')
    .action(async (name: string) => {
      await withSignalFor(30_000, async (signal) => {
        const r = await sandboxRecoveryNodes(io.env).destroy(name, signal);
        io.stdout.write(
          `${r.stopped ? `recovery node ${name} stopped${r.lockTableDeleted ? `; lock table ${r.lockTableDeleted} deleted` : ''}` : `no recovery node ${name} was running`}\n`,
        );
      });
    });
  rn.command('list')
    .description('the recovery nodes running now, one JSON document')
    .action(async () => {
      await withSignalFor(10_000, async (signal) => {
        const all = await sandboxRecoveryNodes(io.env).list(signal);
        io.stdout.write(`${JSON.stringify(all)}\n`);
      });
    });
}
