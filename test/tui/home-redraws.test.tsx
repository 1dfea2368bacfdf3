import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/ui/App.js';
import { createUiStore } from '../../src/ui/store.js';
import { renderTerm, waitForFrame } from './helpers.js';

afterEach(() => cleanup());

describe('home screen redraws', () => {
  it('Given the home screen on a terminal, When the journals report no stopped run (an empty list after the first frame), Then nothing is drawn again', async () => {
    const store = createUiStore({
      runbooks: [{ id: 'unseal', title: 'Unseal', description: 'Unseal every sealed node.' }],
    });
    // ink-testing-library renders in Ink's debug mode: every render writes a frame.
    const term = renderTerm(<App store={store} />);
    await waitForFrame(term, 'Unseal');
    const drawn = term.frames.length;
    store.setState({ warnings: [] });
    store.setState({ warnings: [] });
    await new Promise((r) => setTimeout(r, 100));
    expect(term.frames.length).toBe(drawn);
    // A real warning is still drawn.
    store.setState({ warnings: ['run x stopped the cluster'] });
    await waitForFrame(term, 'run x stopped the cluster');
  });
});
