import { z } from 'zod';
import { describeHealthCode, roleOf } from '../../domain/health.js';
import { errorMessage, UsageError } from '../../domain/errors.js';
import { parseDuration } from '../../domain/duration.js';
import type { SealStatus, VaultNode, VaultPort } from '../vault.js';
import type { ActionContext, AnyAction, ActionDef } from './types.js';

const warned = new WeakSet<ActionContext<unknown>>();

export function requireVault(ctx: ActionContext<unknown>): VaultPort {
  const v = ctx.ports.vault;
  if (!v)
    throw new UsageError('this step needs a Vault cluster: give --profile or set VAULT_ADDR', [
      'vault-runbook sandbox up',
    ]);
  // Into the step's output, so the journal of every step that talked to Vault carries it.
  if (v.insecure && !warned.has(ctx)) {
    warned.add(ctx);
    ctx.log(`WARNING: ${v.insecure}`, 'stderr');
  }
  return v;
}

/** `with.region`: whose nodes a step without `with.nodes` works on. */
export const Region = z.enum(['primary', 'dr']).optional();

/**
 * Nodes named in `with.nodes` (names or addresses, the DR region's too), or every node of the
 * region (`with.region`, the primary by default). An explicit empty list selects nothing: a
 * DR list that came out empty never falls back to the primary's nodes.
 */
export function selectNodes(
  vault: VaultPort,
  names: readonly string[] | undefined,
  region: 'primary' | 'dr' = 'primary',
): VaultNode[] {
  if (!names) return [...(region === 'dr' ? vault.drNodes() : vault.nodes())];
  const all = [...vault.nodes(), ...vault.drNodes()];
  return names.map((n) => {
    const node = all.find((x) => x.name === n || x.address === n);
    if (!node) throw new Error(`unknown node '${n}' (known: ${all.map((x) => x.name).join(', ')})`);
    return node;
  });
}

/** A node's seal status, or why it could not be read (a node that does not answer is data). */
export interface NodeSealState {
  readonly node: VaultNode;
  readonly status?: SealStatus;
  readonly error?: string;
}

/** sys/seal-status of every node at once; an unreachable node carries its error. */
export function sealStatuses(
  vault: VaultPort,
  nodes: readonly VaultNode[],
  signal: AbortSignal,
): Promise<NodeSealState[]> {
  return Promise.all(
    nodes.map(async (node) => {
      try {
        return { node, status: await vault.sealStatus(node, signal) };
      } catch (err) {
        return { node, error: errorMessage(err) };
      }
    }),
  );
}

const Nodes = z.strictObject({ nodes: z.array(z.string()).optional() });

export const sealStatusAction: ActionDef<z.infer<typeof Nodes>> = {
  id: 'vault.seal-status',
  summary: 'Read sys/seal-status of every node: sealed, unseal progress t/n and nonce, version',
  input: Nodes,
  idempotent: true,
  human: false,
  describe: (i) => `read the seal status of ${i.nodes?.join(', ') ?? 'every node'}`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const nodes = await Promise.all(
      selectNodes(vault, ctx.input.nodes).map(async (node) => {
        try {
          const s = await vault.sealStatus(node, ctx.signal);
          ctx.log(
            `${node.name} ${s.initialized ? (s.sealed ? `sealed ${s.progress}/${s.t}` : 'unsealed') : 'not initialized'} (Vault ${s.version})`,
          );
          return { name: node.name, address: node.address, reachable: true, ...s };
        } catch (err) {
          ctx.log(
            `${node.name} unreachable: ${err instanceof Error ? err.message : String(err)}`,
            'stderr',
          );
          return { name: node.name, address: node.address, reachable: false };
        }
      }),
    );
    const names = (pred: (n: (typeof nodes)[number]) => boolean): string[] =>
      nodes.filter(pred).map((n) => n.name);
    return {
      nodes,
      sealed: names((n) => 'sealed' in n && n.sealed && n.initialized),
      unsealed: names((n) => 'sealed' in n && !n.sealed),
      uninitialized: names((n) => 'initialized' in n && !n.initialized),
      unreachable: names((n) => !n.reachable),
      partial: names((n) => 'progress' in n && n.progress > 0),
    };
  },
};

export const healthAction: ActionDef<z.infer<typeof Nodes>> = {
  id: 'vault.health',
  summary: 'Read sys/health of every node and decode it (active, standby, sealed, uninitialized…)',
  input: Nodes,
  idempotent: true,
  human: false,
  describe: (i) => `read sys/health of ${i.nodes?.join(', ') ?? 'every node'}`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const nodes = await Promise.all(
      selectNodes(vault, ctx.input.nodes).map(async (node) => {
        const h = await vault.health(node, ctx.signal);
        if (!h.reachable) {
          ctx.log(`${node.name} unreachable: ${h.error}`, 'stderr');
          return {
            name: node.name,
            reachable: false,
            code: 0,
            meaning: 'unreachable',
            role: 'unknown',
          };
        }
        const meaning = describeHealthCode(h.code);
        ctx.log(`${node.name} ${h.code} ${meaning} (Vault ${h.body.version ?? '?'})`);
        return {
          name: node.name,
          reachable: true,
          code: h.code,
          meaning,
          role: roleOf(h.code, h.body),
          version: h.body.version ?? '',
        };
      }),
    );
    return {
      nodes,
      active: nodes.find((n) => n.role === 'active')?.name ?? '',
      standbys: nodes
        .filter((n) => n.role === 'standby' || n.role === 'perf-standby')
        .map((n) => n.name),
      versions: [
        ...new Set(nodes.flatMap((n) => ('version' in n && n.version ? [n.version] : []))),
      ],
    };
  },
};

const Wait = z.strictObject({
  until: z.enum(['reachable', 'initialized', 'unsealed', 'sealed', 'active-elected']),
  nodes: z.array(z.string()).optional(),
  region: Region,
  interval: z.union([z.string(), z.number()]).optional(),
});

export const waitAction: ActionDef<z.infer<typeof Wait>> = {
  id: 'vault.wait',
  summary:
    'Poll until every selected node is reachable/initialized/unsealed/sealed, or a node is active (use with timeout:)',
  input: Wait,
  idempotent: true,
  human: false,
  describe: (i) =>
    `wait until ${i.until === 'active-elected' ? `a node${i.region === 'dr' ? ' of the DR region' : ''} is active` : `${i.nodes?.join(', ') ?? `every ${i.region === 'dr' ? 'DR ' : ''}node`} is ${i.until}`}`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const region = ctx.input.region ?? 'primary';
    let nodes = selectNodes(vault, ctx.input.nodes, region);
    if (ctx.input.nodes?.length === 0)
      throw new Error('no node to wait for: the step was given an empty node list');
    const interval = ctx.input.interval === undefined ? 1000 : parseDuration(ctx.input.interval);
    const started = ctx.ports.clock.now().getTime();
    let last = '';
    for (;;) {
      // Every node of a discovering profile is whatever the ASG holds now (newcomers included).
      if (!ctx.input.nodes && vault.refresh) {
        await vault.refresh(ctx.signal);
        nodes = selectNodes(vault, undefined, region);
      }
      const results = await Promise.all(
        nodes.map(async (n) => ({ n, h: await vault.health(n, ctx.signal) })),
      );
      const ok = (h: (typeof results)[number]['h']): boolean => {
        switch (ctx.input.until) {
          case 'reachable':
            return h.reachable;
          case 'initialized':
            return h.reachable && h.body.initialized === true;
          case 'unsealed':
            return h.reachable && h.body.initialized === true && h.body.sealed === false;
          case 'sealed':
            return h.reachable && h.body.sealed === true;
          case 'active-elected':
            return h.reachable && h.code === 200;
        }
      };
      // No node (a group still starting) is nothing to wait on yet, never "every node is ready".
      const done =
        results.length > 0 &&
        (ctx.input.until === 'active-elected'
          ? results.some((r) => ok(r.h))
          : results.every((r) => ok(r.h)));
      const summary = results
        .map((r) => `${r.n.name}=${r.h.reachable ? r.h.code : 'unreachable'}`)
        .join(' ');
      if (summary !== last) ctx.log(summary);
      last = summary;
      if (done)
        return {
          waited_ms: ctx.ports.clock.now().getTime() - started,
          active: results.find((r) => r.h.reachable && r.h.code === 200)?.n.name ?? '',
        };
      await ctx.ports.clock.sleep(interval, ctx.signal);
    }
  },
};

export const reachableAction: ActionDef<z.infer<typeof Nodes>> = {
  id: 'vault.reachable',
  summary:
    'Check that every selected node answers on its API address (outputs.ok), for preconditions',
  input: Nodes,
  idempotent: true,
  human: false,
  describe: (i) => `check that ${i.nodes?.join(', ') ?? 'every node'} answers`,
  async run(ctx) {
    const vault = requireVault(ctx);
    const results = await Promise.all(
      selectNodes(vault, ctx.input.nodes).map(async (n) => ({
        n,
        h: await vault.health(n, ctx.signal),
      })),
    );
    const down = results.filter((r) => !r.h.reachable);
    // No node at all (a discovering profile's group at 0) answers nothing: never "every node".
    if (results.length === 0)
      return { ok: false, detail: 'no Vault node is known (none in service)', unreachable: [] };
    return {
      ok: down.length === 0,
      detail: down.length
        ? `unreachable: ${down.map((r) => `${r.n.name} (${r.h.reachable ? '' : r.h.error})`).join(', ')}`
        : `${results.length} node(s) answer`,
      unreachable: down.map((r) => r.n.name),
    };
  },
};

export const vaultActions: AnyAction[] = [
  sealStatusAction,
  healthAction,
  waitAction,
  reachableAction,
];
