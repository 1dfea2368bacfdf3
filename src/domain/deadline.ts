/**
 * Runs `fn` with a signal that aborts with `parent` or after `ms`, whichever comes first, and
 * releases the timer and the listener on `parent` when `fn` settles.
 *
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 a timeout signal held
 * only by a composite can be garbage-collected before it fires (nodejs/node#57736), and a call
 * whose code keeps no reference to it then waits for ever — a node that never answers held a
 * status round (and a test) until something else gave up. Here the timer holds the controller,
 * so the deadline fires whatever the collector does; releasing it keeps a long-lived parent
 * (the poller's) from gathering one listener per call.
 */
export async function withDeadline<T>(
  parent: AbortSignal,
  ms: number,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort(parent.reason);
  if (parent.aborted) ctl.abort(parent.reason);
  else parent.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => ctl.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')),
    ms,
  );
  try {
    return await fn(ctl.signal);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onAbort);
  }
}
