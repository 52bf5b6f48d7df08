import type { EvidenceRecord } from '../src/contract/definitions';

/**
 * `${evidence.<step>.<item>}` in an action's params: the run fills it, when the action runs,
 * with the last value submitted for that item (text as written, anything else as JSON), so a
 * notification can publish what a person wrote — the Business Sponsor's Red Button
 * announcement. Pure; a placeholder whose evidence is not in stays as written.
 */

const EVIDENCE = /\$\{evidence\.([a-z0-9][a-z0-9-]*)\.([a-z0-9][a-z0-9-]*)\}/g;

export function fillEvidence<T>(value: T, evidence: readonly EvidenceRecord[]): T {
  if (typeof value === 'string') {
    if (!value.includes('${evidence.')) return value;
    return value.replace(EVIDENCE, (m, stepId: string, itemId: string) => {
      const last = [...evidence].reverse().find((e) => e.stepId === stepId && e.itemId === itemId);
      if (!last) return m;
      return typeof last.value === 'string' ? last.value : JSON.stringify(last.value);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => fillEvidence(v, evidence)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillEvidence(v, evidence)])) as T;
  return value;
}
