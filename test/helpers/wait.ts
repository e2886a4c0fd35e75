// Waiting in tests: for a condition, never for a length of time. Each wait polls what the test can observe and fails
// loudly, naming what it waited for, once its deadline passes; so a test neither passes because the machine happened
// to be fast nor hangs until the runner's own timeout when the condition never comes.

const POLL_MS = 50;

/** Resolves once `check()` is true, polling every 50 ms; rejects naming `what` after `timeoutMs`. */
/** `what` may be a function, read at the timeout, when the message should say how things stood then. */
export async function waitFor(
  check: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 15_000,
): Promise<void> {
  const said = (): string => (typeof what === 'string' ? what : what());
  await poll(check, (held) => held, timeoutMs, () => `timed out after ${timeoutMs} ms waiting for ${said()}`);
}

/**
 * Polls `probe` every 50 ms until `ok` accepts its value, and resolves that value; rejects after `timeoutMs` naming
 * `what` and the last value seen.
 */
export function waitForValue<T>(
  probe: () => T | Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 15_000,
): Promise<T> {
  return poll(probe, ok, timeoutMs, (last) => `timed out after ${timeoutMs} ms waiting for ${what}; last: ${show(last)}`);
}

/**
 * Resolves the value of `probe` once it has stayed the same for `steadyMs`: for a process that must stop by
 * itself (e.g. a server held back by a client that does not read), where "it stopped" can only be seen as "it did
 * not move for a while". Rejects naming `what` if it is still moving after `timeoutMs`.
 */
export async function waitForSteady<T>(probe: () => T, steadyMs: number, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = probe();
  let since = Date.now();
  for (;;) {
    await pause(POLL_MS);
    const value = probe();
    if (value !== last) {
      last = value;
      since = Date.now();
    } else if (Date.now() - since >= steadyMs) {
      return value;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${show(value)}`);
  }
}

async function poll<T>(
  probe: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs: number, failure: (last: T) => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(failure(value));
    await pause(POLL_MS);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
}
