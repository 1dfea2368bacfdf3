import type { Profile } from '../domain/schema.js';
import { Secret } from '../domain/secret.js';
import type { HumanAnswer, HumanPrompt } from '../engine/human.js';
import { MemoryCredentials } from '../engine/operator-token.js';
import type { Ports } from '../engine/ports.js';
import type { ActionContext } from '../engine/actions/types.js';
import { FakeProcess, instantClock } from './fakes.js';

export const profile: Profile = {
  name: 'prod',
  vault: { addresses: ['https://node-1:8200'] },
  aws: { region: 'us-east-1', asg: 'vault-primary', data_bucket: 'data' },
};

/** An action context over fakes; `answers` plays the person, `lines` collects the output. */
export function ctxFor<I>(
  input: I,
  ports: Partial<Ports> & { token?: Secret },
  answers: (p: HumanPrompt) => HumanAnswer = () => {
    throw new Error('no person in this test');
  },
): ActionContext<I> & { lines: string[]; asked: HumanPrompt[] } {
  const lines: string[] = [];
  const asked: HumanPrompt[] = [];
  return {
    runId: '20260101-000000-ab12',
    stepId: 's',
    attempt: 1,
    input,
    signal: AbortSignal.timeout(5_000),
    ports: {
      process: new FakeProcess(),
      clock: instantClock,
      human: { ask: () => Promise.reject(new Error('unused')) },
      ...(ports.token
        ? { credentials: new MemoryCredentials({ token: ports.token, source: 'VAULT_TOKEN' }) }
        : {}),
      ...ports,
    },
    profile,
    clusterName: 'prod',
    operator: 'tester',
    lines,
    asked,
    log: (l) => lines.push(l),
    ask: <P extends HumanPrompt>(p: P) => {
      asked.push(p);
      return Promise.resolve(answers(p)) as never;
    },
    registerSecret: () => undefined,
    recordProcess: () => undefined,
  };
}

export const share = (s: string) => new Secret(s, 'share');
