/** Polls until `fn` returns a value other than undefined (visibility and workflow progress lag). */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  what: string | (() => string),
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
