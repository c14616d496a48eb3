/**
 * Polls `probe` until it gives a value (not undefined), every `everyMs`; rejects after `timeoutMs` with what was
 * awaited and the last value seen. For waiting on something another process does (a Docker Engine, a
 * discovery pass): a deadline, never a bare sleep standing in for synchronisation.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 25): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    last = value;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
