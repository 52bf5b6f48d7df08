/**
 * The sandbox's alert pipeline: it delivers a test alert to the receiver named in the request.
 * Only loopback receivers are accepted, so the sandbox cannot be used to POST across a network.
 */
const loopback = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackUrl(url: string): boolean {
  try {
    return loopback.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

export async function deliverTestAlert(
  receiverUrl: string,
  alert: { rule: string; token: string; source: string },
): Promise<{ delivered: boolean; status?: number; error?: string }> {
  try {
    const res = await fetch(receiverUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...alert, status: 'firing', test: true, at: new Date().toISOString() }),
      signal: AbortSignal.timeout(5_000),
    });
    await res.arrayBuffer();
    return { delivered: res.ok, status: res.status };
  } catch (error) {
    return { delivered: false, error: error instanceof Error ? error.message : String(error) };
  }
}
