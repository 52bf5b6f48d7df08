/**
 * Durations as people write them in runbooks: "500ms", "30s", "5m", "24h", "14d".
 * Pure (no Node APIs, no zod): the workflow bundle imports it to turn deadlines into timers;
 * the runbook schema's `durationSchema` (schema.ts) checks the same pattern.
 */
export const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationToMs(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new RangeError(`not a duration: ${JSON.stringify(text)} (use e.g. 30s, 5m, 24h, 14d)`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  if (ms < 86_400_000) return `${+(ms / 3_600_000).toFixed(1)}h`;
  return `${+(ms / 86_400_000).toFixed(1)}d`;
}
