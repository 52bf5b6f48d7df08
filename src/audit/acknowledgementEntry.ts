/** A report's acknowledgement (its first response, before the resolution) → its trail entry (entries.ts). */
export function acknowledgementEntry(
  input: Record<string, unknown>,
  via: 'update' | 'signal',
  signed: Record<string, unknown>,
): { kind: 'report-acknowledged'; actor?: string; summary: string; details: Record<string, unknown> } {
  const actor = (input.actor as { id?: unknown } | undefined)?.id;
  const who = typeof actor === 'string' ? actor : undefined;
  return {
    kind: 'report-acknowledged',
    ...(who ? { actor: who } : {}),
    summary: `${who ?? 'someone'} acknowledged report ${String(input.reportId)}: ${String(input.text)}`,
    details: { reportId: input.reportId, text: input.text, via, ...signed },
  };
}
