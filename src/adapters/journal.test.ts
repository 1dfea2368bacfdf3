import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyJournal } from '../cli/journal-verify.js';
import { createRun, resumeRun } from '../app/session.js';
import { ScriptedAnswers } from '../test-support/fakes.js';
import { journalKeyPath } from './journal-key.js';
import { canonical, FsJournal, recordHash, type JournalRecord } from './journal.js';
import { UsageError } from '../domain/errors.js';

const RUNBOOK = `id: two-steps
title: Two shell steps
inputs:
  - { name: who, default: world }
steps:
  - id: hello
    run: echo hello
  - id: world
    run: echo world
`;

const nobody = new ScriptedAnswers(() => Promise.reject(new Error('nobody is asked')));

/** A finished run of a two-step runbook in fresh state and config directories. */
async function finishedRun() {
  const dir = mkdtempSync(join(tmpdir(), 'vr-journal-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_STATE_HOME: join(dir, 'state'),
    XDG_CONFIG_HOME: join(dir, 'config'),
  };
  const runbook = join(dir, 'two-steps.yaml');
  writeFileSync(runbook, RUNBOOK);
  const session = createRun({ runbookRef: runbook }, { human: nobody, env });
  const result = await session.go();
  const head = session.journalHead();
  session.close();
  expect(result.exitCode).toBe(0);
  const file = session.journalPath ?? '';
  const records = (): JournalRecord[] =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as JournalRecord);
  const write = (rs: readonly JournalRecord[]): void =>
    writeFileSync(file, rs.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return { dir, env, runbook, runId: session.runId, file, head, records, write };
}

/** What an attacker without the key can do: change records and recompute the SHA-256 chain. */
function rechain(rs: readonly JournalRecord[]): JournalRecord[] {
  let prev = '0'.repeat(64);
  return rs.map((r) => {
    const { hash: _h, key, mac, ...rest } = r;
    const base = { ...rest, prev };
    const hash = recordHash(base);
    prev = hash;
    return { ...base, hash, ...(key ? { key } : {}), ...(mac ? { mac } : {}) };
  });
}

describe('journal verify', () => {
  it('Given a finished run, When verified, Then it is ok and names the final record and its hash, the one the run ended with', async () => {
    const run = await finishedRun();
    const v = verifyJournal(run.runId, run.env);
    const last = run.records().at(-1)!;
    expect(v).toEqual({
      ok: true,
      stdout: [
        `ok: ${run.records().length} records, hash chain and HMACs intact; final record ${last.seq} (run-finished), final hash ${last.hash}`,
      ],
      stderr: [],
    });
    expect(run.head).toEqual({ seq: last.seq, hash: last.hash });
  });

  it('Given the last records of a finished run dropped, When verified, Then it fails naming the truncation', async () => {
    const run = await finishedRun();
    const kept = run.records().slice(0, -3);
    run.write(kept);
    const v = verifyJournal(run.runId, run.env);
    expect(v.ok).toBe(false);
    expect(v.stderr).toEqual([
      `ends after record ${kept.at(-1)!.seq} (${kept.at(-1)!.event.type}) without a final record — truncated or still running (an interrupted run goes on with: vault-runbook resume ${run.runId})`,
    ]);
  });

  it('Given a journal rewritten with its SHA-256 chain recomputed, When verified, Then the HMACs fail', async () => {
    const run = await finishedRun();
    const rs = run.records();
    const i = rs.findIndex((r) => canonical(r.event).includes('"lines":["hello"]'));
    expect(i).toBeGreaterThan(0);
    const forged = rechain(
      rs.map((r, j) =>
        j === i
          ? (JSON.parse(JSON.stringify(r).replace('"hello"', '"jello"')) as JournalRecord)
          : r,
      ),
    );
    run.write(forged);
    const v = verifyJournal(run.runId, run.env);
    expect(v.ok).toBe(false);
    expect(v.stderr[0]).toBe(
      `record ${i} (line ${i + 1}, step-output): HMAC mismatch — the journal was rewritten (hashes recomputed without the key)`,
    );
  });

  it('Given another user’s journal (no key here), When verified, Then it says the HMACs could not be checked instead of ok', async () => {
    const run = await finishedRun();
    const v = verifyJournal(run.runId, { ...run.env, XDG_CONFIG_HOME: join(run.dir, 'other') });
    expect(v.ok).toBe(false);
    expect(v.stderr).toEqual([
      `cannot check the HMACs: no journal key at ${join(run.dir, 'other', 'vault-runbook', 'journal.key')} (a journal is verified by the user who ran it, with their key)`,
    ]);
  });

  it('Given a first run, When it ends, Then the journal key sits 0600 in the config directory, outside the state directory', async () => {
    const run = await finishedRun();
    const key = journalKeyPath(run.env);
    expect(key.startsWith(join(run.dir, 'config'))).toBe(true);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(run.file, 'utf8')).not.toContain(readFileSync(key, 'utf8').trim());
  });
});

describe('resume trusts only a journal that verifies', () => {
  it('Given an interrupted run whose recorded inputs were rewritten with a recomputed chain, When resumed, Then it is refused before anything runs', async () => {
    const run = await finishedRun();
    // Interrupted after the first step: the final records are not there (yet).
    const rs = run.records();
    const cut = rs.findIndex((r) => r.event.type === 'step-succeeded') + 1;
    const forged = rechain(
      rs
        .slice(0, cut)
        .map((r) =>
          r.event.type === 'run-started'
            ? (JSON.parse(
                JSON.stringify(r).replace('"who":"world"', '"who":"$(touch /tmp/x)"'),
              ) as JournalRecord)
            : r,
        ),
    );
    expect(JSON.stringify(forged[0])).toContain('touch');
    run.write(forged);
    expect(() => resumeRun(run.runId, { human: nobody, env: run.env })).toThrow(
      /does not verify: record 0 \(line 1, run-started\): HMAC mismatch/,
    );
  });

  it('Given an interrupted run whose runbook file changed since, When resumed, Then it is refused unless forced', async () => {
    const run = await finishedRun();
    const rs = run.records();
    run.write(rs.slice(0, rs.findIndex((r) => r.event.type === 'step-succeeded') + 1));
    writeFileSync(run.runbook, RUNBOOK.replace('echo world', 'echo changed'));
    expect(() => resumeRun(run.runId, { human: nobody, env: run.env })).toThrow(
      /runbook .*two-steps\.yaml changed since run .* started/,
    );
    const forced = resumeRun(run.runId, { human: nobody, env: run.env, force: true });
    const r = await forced.go();
    forced.close();
    expect(r.exitCode).toBe(0);
    expect(verifyJournal(run.runId, run.env).ok).toBe(true);
  });
});

describe('FsJournal and symbolic links', () => {
  const key = { id: 'k', path: '/dev/null', mac: (h: string) => h };
  it('Given a dangling symlink planted at a new journal’s name, When the journal is created, Then it is refused and nothing is created where the link points', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-journal-link-'));
    const target = join(dir, 'victim.txt');
    const path = join(dir, 'runs', 'r-1.jsonl');
    mkdirSync(join(dir, 'runs'));
    symlinkSync(target, path);
    expect(() => FsJournal.create(path, 'r-1', { operator: 'op', key })).toThrow(
      /symbolic link|already exists/,
    );
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('Given a dangling symlink at a journal’s lock path, When the journal is created, Then a one-line usage error names the lock as a link, not ENOENT, and nothing is created', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-journal-link-'));
    const path = join(dir, 'r-3.jsonl');
    const target = join(dir, 'nowhere.pid');
    symlinkSync(target, `${path}.lock`);
    let err: unknown;
    try {
      FsJournal.create(path, 'r-3', { operator: 'op', key });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^the lock of run r-3 \(\S+r-3\.jsonl\.lock\) is a symbolic link/);
    expect(msg).not.toContain('\n');
    expect(msg).not.toContain('ENOENT');
    expect(existsSync(target)).toBe(false);
    expect(existsSync(path)).toBe(false);
  });

  it('Given a valid journal moved away and a symlink to it left at its name, When it is reopened for resume, Then it is refused instead of appending through the link', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-journal-link-'));
    const path = join(dir, 'r-2.jsonl');
    const j = FsJournal.create(path, 'r-2', { operator: 'op', key });
    j.append({ type: 'step-output', stepId: 's', stream: 'stdout', line: 'x' } as never);
    j.close();
    const other = join(dir, 'elsewhere.jsonl');
    renameSync(path, other);
    symlinkSync(other, path);
    const before = readFileSync(other, 'utf8');
    expect(() => FsJournal.reopen(path, { operator: 'op', key })).toThrow(/symbolic link/);
    expect(readFileSync(other, 'utf8')).toBe(before);
  });
});
