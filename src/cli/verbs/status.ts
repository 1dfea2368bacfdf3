import { Option, type Command } from 'commander';
import { ExitCode, UsageError } from '../../domain/errors.js';
import type { ClusterStatus } from '../../domain/cluster.js';
import { isTTY } from '../../app/io.js';
import { warnPendingStops } from '../pending-stops.js';
import { PROFILE_HELP, type VerbContext } from './context.js';

/** The shortest --interval: faster polling only loads the cluster, nobody reads that fast. */
const MIN_INTERVAL_S = 0.2;

export function intervalSeconds(v: string): number {
  const n = Number(v);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(v) || !Number.isFinite(n) || n < MIN_INTERVAL_S)
    throw new UsageError(`--interval needs a number of seconds ≥ ${MIN_INTERVAL_S}, got '${v}'`, [
      'e.g. --interval 2',
    ]);
  return n;
}

interface StatusFlags {
  profile?: string;
  json?: boolean;
  watch?: boolean;
  interval: number;
}

export function registerStatus(program: Command, { io, setExit }: VerbContext): void {
  program
    .command('status')
    .description(
      'cluster status once, or live with --watch: per node seal/HA/health, per region ASG, replication lag, HA lock holder',
    )
    .option('-p, --profile <file>', PROFILE_HELP)
    .option('--json', 'one JSON document (with --watch: one per line)')
    .option(
      '--watch',
      'refresh every --interval until interrupted (less often while nothing changes)',
    )
    .addOption(
      new Option('--interval <seconds>', 'refresh interval for --watch')
        .default(2)
        .argParser(intervalSeconds),
    )
    .action(async (flags: StatusFlags) => {
      // A cluster a run stopped and never brought back: said before the status that shows it down.
      await warnPendingStops(io);
      const [
        { loadProfile, profilePath },
        { clusterPorts },
        { AwsStatusCache, collectStatus, formatStatus, StatusPoller },
      ] = await Promise.all([
        import('../../app/profiles.js'),
        import('../../app/ports.js'),
        import('../../app/status.js'),
      ]);
      const profile = loadProfile(profilePath(flags.profile, io.env));
      const { vault, aws } = clusterPorts(profile, io.env);
      if (!vault)
        throw new UsageError('no cluster: give --profile, set VAULT_ADDR, or start the sandbox', [
          'vault-runbook sandbox up',
        ]);
      const print = (s: ClusterStatus): void => {
        if (flags.json) io.stdout.write(`${JSON.stringify(s)}\n`);
        else
          io.stdout.write(
            `${flags.watch && isTTY(io.stdout) ? '\x1b[2J\x1b[H' : ''}${formatStatus(s)}`,
          );
      };
      if (!flags.watch) {
        try {
          const s = await collectStatus(profile, vault, aws, AbortSignal.timeout(15_000));
          print(s);
          if (s.summary.unreachable === s.nodes.length) setExit(ExitCode.precondition);
        } finally {
          vault.close?.();
        }
        return;
      }
      // Watching: the AWS rows are read at most every 10 s (and after the nodes change).
      const awsCache = new AwsStatusCache(Math.max(10_000, flags.interval * 1000));
      const poller = new StatusPoller(
        (signal) => collectStatus(profile, vault, aws, signal, { awsCache }),
        print,
        flags.interval * 1000,
      );
      poller.start();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      poller.stop();
      vault.close?.();
    });
}
