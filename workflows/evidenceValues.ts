import { z } from 'zod';
import type { EvidenceItem } from '../src/runbook/schema';
import { documentEvidenceSchema, REFUSAL_TYPES } from './definitions';
import { Refusal } from './policy';

/**
 * What a submitted evidence value must look like, per item type and the item's bounds. The
 * workflow's validator checks it before a value reaches history; refusals name the field.
 */

const evidenceValueSchemas = {
  number: z.number().finite(),
  // Only web links: evidence is shown to reviewers as a link, and javascript: or data: is no evidence.
  url: z.string().url().max(2000).regex(/^https?:\/\//i, 'must be an http(s) link'),
  document: documentEvidenceSchema,
  attestation: z.literal(true, { message: 'an attestation must be true' }),
  text: z.string().trim().min(1).max(20_000),
} as const;

/** Checks a submitted value against its item's type and bounds; returns the parsed value. */
export function checkEvidenceValue(item: EvidenceItem, value: unknown): { ok: true; value: unknown } | Refusal {
  const parsed = evidenceValueSchemas[item.type].safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first && first.path.length ? `.${first.path.join('.')}` : '';
    return new Refusal(REFUSAL_TYPES.invalid, `value${where} for "${item.id}" (${item.type}): ${first?.message ?? 'invalid'}`);
  }
  if (item.type === 'number') {
    const n = parsed.data as number;
    if (item.min !== undefined && n < item.min) return new Refusal(REFUSAL_TYPES.invalid, `"${item.id}" must be at least ${item.min} (got ${n})`);
    if (item.max !== undefined && n > item.max) return new Refusal(REFUSAL_TYPES.invalid, `"${item.id}" must be at most ${item.max} (got ${n})`);
  }
  return { ok: true, value: parsed.data };
}
