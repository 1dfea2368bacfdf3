import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { FsJournal, journalPath } from '../../src/adapters/journal.js';
import { loadJournalKey } from '../../src/adapters/journal-key.js';
import { pendingStopWarnings } from '../../src/app/pending-stops.js';
import { listRunbooks } from '../../src/app/runbooks.js';
import { App } from '../../src/ui/App.js';
import { createUiStore } from '../../src/ui/store.js';
import { renderTerm, waitForFrame } from './helpers.js';

const RUN = 's3-secret-recovery-20260101T000000-abcdef';
let tmp: string | undefined;
afterEach(() => {
  cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/**
 * A state dir holding one in-place run: the stop step started, nothing after (killed), or
 * the run then aborted (ended: not resumable).
 */
function killedRunEnv(ended = false): NodeJS.ProcessEnv {
  tmp = mkdtempSync(join(tmpdir(), 'vr-banner-'));
  const env = { ...process.env, XDG_STATE_HOME: join(tmp, 's'), XDG_CONFIG_HOME: join(tmp, 'c') };
  const key = loadJournalKey(env, { create: true });
  if (!key) throw new Error('no journal key');
  const j = FsJournal.create(journalPath(RUN, env), RUN, { operator: 'op', key });
  j.append({
    type: 'run-started',
    runbookTitle: 'Recover a secret',
    meta: { runId: RUN, runbookFile: 'rb.yaml', runbookSha256: 'x', inputs: {}, dryRun: false },
  });
  j.append({
    type: 'step-started',
    stepId: 'stop',
    attempt: 1,
    with: { asg: 'vault-asg', desired: 3, min: 3 },
    cluster: 'stops',
  });
  if (ended)
    j.append({
      type: 'run-finished',
      outcome: { kind: 'aborted', reason: 'operator pressed Ctrl-C' },
    });
  j.close();
  return env;
}

describe('home screen: a run that left the cluster stopped', () => {
  it('Given a killed run whose stop step started, When home shows, Then a framed banner names the run, the runbook, the time and the resume command', async () => {
    const warnings = pendingStopWarnings(killedRunEnv());
    expect(warnings).toHaveLength(1);
    const store = createUiStore({
      runbooks: [{ id: 'unseal', title: 'Unseal', description: '' }],
      warnings,
    });
    const term = renderTerm(<App store={store} />);
    const frame = await waitForFrame(term, 'resume it');
    // The banner wraps inside its border: the text is read with the frame and padding taken out.
    expect(frame.replace(/║/g, ' ').replace(/\s+/g, ' ')).toMatch(
      new RegExp(
        `run ${RUN} \\(s3-secret-recovery\\) stopped the cluster at \\d{4}-\\S+ and has not finished — resume it: vault-runbook resume ${RUN}`,
      ),
    );
    // Framed apart from the list (ink-testing-library renders without colour, so the red itself
    // is not seen here; the banner draws its text and border in the theme's `fail` tone).
    expect(frame).toMatch(/╔═+╗\n║ run s3-secret-recovery/);
  });

  it('Given no unfinished run, When home shows, Then there is no banner', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'vr-banner-'));
    const warnings = pendingStopWarnings({ ...process.env, XDG_STATE_HOME: join(tmp, 's') });
    expect(warnings).toEqual([]);
    const term = renderTerm(
      <App
        store={createUiStore({
          runbooks: [{ id: 'unseal', title: 'Unseal', description: '' }],
          warnings,
        })}
      />,
    );
    expect(await waitForFrame(term, 'Unseal')).not.toMatch(/stopped the cluster/);
  });

  it('Given an 80×24 terminal, the shipped runbooks and the banner, When home shows, Then the banner and every runbook fit', async () => {
    const runbooks = listRunbooks({ ...process.env, XDG_CONFIG_HOME: '/nonexistent' });
    const store = createUiStore({ runbooks, warnings: pendingStopWarnings(killedRunEnv()) });
    const term = renderTerm(<App store={store} />);
    await waitForFrame(term, 'resume it');
    Object.defineProperty(term.stdout, 'columns', { value: 80 });
    Object.defineProperty(term.stdout, 'rows', { value: 24 });
    term.rerender(<App key="80x24" store={store} />);
    const frame = await waitForFrame(term, (f) => f.split('\n').length < 24);
    expect(frame).toContain('resume it');
    for (const rb of runbooks) expect(frame).toContain(rb.id);
  });

  it('Given an aborted run whose stop stands and an 80×24 terminal, When home shows, Then the banner gives the bring-back steps (no resume) and every runbook still fits', async () => {
    const runbooks = listRunbooks({ ...process.env, XDG_CONFIG_HOME: '/nonexistent' });
    const store = createUiStore({ runbooks, warnings: pendingStopWarnings(killedRunEnv(true)) });
    const term = renderTerm(<App store={store} />);
    await waitForFrame(term, 'ack-stop');
    Object.defineProperty(term.stdout, 'columns', { value: 80 });
    Object.defineProperty(term.stdout, 'rows', { value: 24 });
    term.rerender(<App key="80x24-ended" store={store} />);
    const frame = await waitForFrame(term, (f) => f.split('\n').length < 24);
    const text = frame.replace(/║/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('ended (aborted) without starting it, so it cannot be resumed');
    expect(text).toContain('scale ASG vault-asg to desired 3 (min 3)');
    expect(text).toContain(`then vault-runbook ack-stop ${RUN}`);
    expect(text).not.toContain('resume it');
    for (const rb of runbooks) expect(frame).toContain(rb.id);
    expect(frame).toContain('no cluster profile');
    expect(frame).toContain('q/Ctrl-C quit');
  });
});
