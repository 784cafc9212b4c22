/**
 * Polls `probe` until it answers something other than `false`, `null` or `undefined`, and resolves with that answer;
 * throws `timed out waiting for <what>` once `timeoutMs` has passed.
 */
export async function until<T>(
  probe: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false && value !== null && value !== undefined) return value as Exclude<T, false | null | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
