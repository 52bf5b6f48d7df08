import type { EvidenceItem } from '../src/contract/schemas/runbook';
import { fail, optional, str, strictObject, wrongType, type Check, type Checked } from './checks';
import { REFUSAL_TYPES } from '../src/contract/definitions';
import { Refusal } from '../src/contract/policy';

/**
 * What a submitted evidence value must look like, per item type and the item's bounds. The
 * workflow's validator checks it before a value reaches history; refusals name the field. The
 * rules are those of messageSchemas.ts `evidenceValueSchemas`, written plainly so the workflow
 * bundle carries no zod (test/unit/messageChecks.test.ts holds the two equal).
 */

const HTTP_LINK = /^https?:\/\//i;

/** `z.string().url()`: parses as a URL once trimmed, and comes out trimmed without tabs or newlines. */
function url(extra: { max?: number }): Check<string> {
  const link = str({
    ...(extra.max !== undefined ? { max: extra.max } : {}),
    pattern: HTTP_LINK,
    patternMessage: 'must be an http(s) link',
  });
  return (value, path) => {
    if (typeof value !== 'string') return wrongType('string', value, path);
    const trimmed = value.trim();
    if (!URL.canParse(trimmed)) return fail(path, 'Invalid URL');
    return link(trimmed.replace(/[\t\n\r]/g, ''), path);
  };
}

const finiteNumber: Check<number> = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) ? { ok: true, value } : wrongType('number', value, path);

export const documentEvidence = strictObject({
  name: str({ min: 1, max: 300, plain: true, oneLine: true }),
  sha256: str({ pattern: /^[a-f0-9]{64}$/, patternMessage: 'must be a lowercase hex SHA-256' }),
  url: optional(url({})),
});

export const evidenceValueChecks: Record<EvidenceItem['type'], Check<unknown>> = {
  number: finiteNumber,
  // Only web links: evidence is shown to reviewers as a link, and javascript: or data: is no evidence.
  url: url({ max: 2000 }),
  document: documentEvidence,
  attestation: (value, path) => (value === true ? { ok: true, value } : fail(path, 'an attestation must be true')),
  text: str({ trim: true, min: 1, max: 20_000, plain: true }),
};

/** Checks a submitted value against its item's type and bounds; returns the parsed value. */
export function checkEvidenceValue(item: EvidenceItem, value: unknown): { ok: true; value: unknown } | Refusal {
  const parsed: Checked<unknown> = evidenceValueChecks[item.type](value, []);
  if (!parsed.ok) {
    const where = parsed.path.length ? `.${parsed.path.join('.')}` : '';
    return new Refusal(REFUSAL_TYPES.invalid, `value${where} for "${item.id}" (${item.type}): ${parsed.message}`);
  }
  if (item.type === 'number') {
    const n = parsed.value as number;
    if (item.min !== undefined && n < item.min)
      return new Refusal(REFUSAL_TYPES.invalid, `"${item.id}" must be at least ${item.min} (got ${n})`);
    if (item.max !== undefined && n > item.max)
      return new Refusal(REFUSAL_TYPES.invalid, `"${item.id}" must be at most ${item.max} (got ${n})`);
  }
  return { ok: true, value: parsed.value };
}
