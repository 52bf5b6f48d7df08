import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { withPlainTextRule, type Check } from '../../workflows/checks';
import { SEVERITIES } from '../../src/contract/definitions';
import { documentEvidence, evidenceValueChecks } from '../../workflows/evidenceValues';
import * as checks from '../../workflows/messageChecks';
import * as schemas from '../../src/contract/schemas/messages';

/**
 * The workflow checks message payloads without zod (messageChecks.ts, evidenceValues.ts); the
 * server parses them with zod (messageSchemas.ts). Both must give the same verdict, the same
 * parsed value and the same first problem (path and wording) for any input: valid payloads,
 * payloads with one field broken, and junk.
 */

function verdictOf(schema: z.ZodType, value: unknown) {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0]!;
  return { ok: false, path: first.path, message: first.message };
}

function sameVerdict(check: Check<unknown>, schema: z.ZodType, value: unknown): void {
  expect(check(value, []), JSON.stringify(value)).toEqual(verdictOf(schema, value));
}

// Field values: mostly near the rules' edges, sometimes anything at all.
const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const edgeString = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('', ' ', '  padded  ', 'x'.repeat(max), 'x'.repeat(max + 1), ` ${'y'.repeat(max)} `, '\t\n'),
    // Control characters: refused in free text (NUL, ESC, DEL, a vertical tab trimmed away), line breaks kept.
    fc.constantFrom(
      'a\u0000b',
      '\u001b[2J',
      ' x\u007f ',
      '\u000bx',
      'line\r\nbreak\tand tab',
      `\u0000${'x'.repeat(max)}`,
      // C1 controls (CSI, NEL) and lone surrogates, refused too; a pair (an emoji) is text.
      'a\u009b2J',
      '\u0085x',
      'lone \ud800',
      '\udc00 lone',
      'both \u0000 \ud800',
      'emoji \ud83d\ude00',
    ),
    fc.stringMatching(/^[A-Za-z0-9._@+-]{1,10}$/),
  );
const sometimes = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: junk, weight: 1 });

const personId = sometimes(fc.oneof(fc.stringMatching(/^[a-z0-9._@+-]{1,12}$/), edgeString(120)));
const roleId = sometimes(
  fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/), edgeString(64), fc.constant('Bad_Role')),
);
const actor = sometimes(
  fc.record(
    {
      id: personId,
      name: sometimes(edgeString(200)),
      roles: sometimes(
        fc.oneof(
          fc.array(roleId, { maxLength: 3 }),
          fc.constant(Array.from({ length: 51 }, () => 'r')),
          fc.constant([...Array.from({ length: 51 }, () => 'r'), 'Bad!']),
        ),
      ),
      extra: fc.string({ maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
);
const hexOf = (n: number) =>
  fc.oneof(
    fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`)),
    fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${n - 1},${n + 1}}$`)),
  );
const signature = sometimes(
  fc.record(
    {
      keyId: sometimes(hexOf(16)),
      at: sometimes(edgeString(40)),
      nonce: sometimes(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{14,66}$/), fc.string())),
      value: sometimes(hexOf(128)),
      x: fc.integer(),
    },
    { requiredKeys: [] },
  ),
);
const text = (max: number) => sometimes(edgeString(max));
const stepId = text(64);
const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  junk,
  fc.constant(JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown),
  fc.constant(Number.NaN),
);

const b64 = (max: number) =>
  sometimes(
    fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
      fc.constantFrom('', 'a+b/c=', 'x'.repeat(max + 1)),
      fc.string({ maxLength: 6 }),
    ),
  );
const binding = sometimes(
  fc.record(
    {
      format: sometimes(fc.constantFrom('golive-passkey-decision/1', 'golive-passkey-decision/2')),
      runId: text(200),
      stepId,
      decision: sometimes(fc.constantFrom('approve', 'reject', 'abstain')),
      comment: text(4000),
      personId,
      evidence: sometimes(
        fc.array(fc.record({ stepId, itemId: text(64), sha256: sometimes(hexOf(64)) }, { requiredKeys: [] }), {
          maxLength: 2,
        }),
      ),
      evidenceHash: sometimes(hexOf(64)),
      rpId: text(253),
      origin: text(300),
      nonce: sometimes(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{14,66}$/), fc.string())),
      issuedAt: text(40),
    },
    { requiredKeys: [] },
  ),
);
const passkey = sometimes(
  fc.record(
    {
      binding,
      credentialId: b64(1400),
      authenticatorData: b64(4000),
      clientDataJSON: b64(4000),
      signature: b64(2000),
      userHandle: b64(200),
      publicKey: sometimes(
        fc.record(
          { algorithm: sometimes(fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60))), spki: b64(2000) },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

const count = sometimes(
  fc.oneof(
    fc.integer({ min: -2, max: 100_002 }),
    fc.constantFrom(0, 100_000, 100_001, -1, 1.5, 2 ** 60, -(2 ** 60)),
    fc.double(),
  ),
);
const finding = sometimes(
  fc.record(
    {
      summary: text(4000),
      severity: sometimes(fc.constantFrom(...SEVERITIES, 'urgent')),
      report: sometimes(fc.boolean()),
      x: fc.integer(),
    },
    { requiredKeys: [] },
  ),
);

/**
 * Messages arrive as JSON, which has no undefined: a key holding undefined never reaches either
 * side (zod would take it as present where the check sees it absent), so the value field is
 * either absent (the record leaves it out) or a value.
 */
const presentJsonValue = jsonValue.filter((v) => v !== undefined);

/** A payload with some of its fields (the rest absent) and, now and then, a key the message does not know. */
const payload = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { arbitrary: fc.record({ ...fields, unknownKey: fc.string({ maxLength: 3 }) }, { requiredKeys: [] }), weight: 6 },
    { arbitrary: junk, weight: 1 },
  );

const messages = {
  actor: [checks.checkActor, schemas.actorSchema, actor],
  approveStep: [
    checks.checkApproveStep,
    schemas.approveStepSchema,
    payload({ actor, stepId, role: text(10), comment: text(4000), passkey, signature }),
  ],
  rejectStep: [
    checks.checkRejectStep,
    schemas.rejectStepSchema,
    payload({ actor, stepId, role: text(10), comment: text(4000), passkey, signature }),
  ],
  passkey: [checks.checkPasskeyAssertion, schemas.passkeyAssertionSchema, passkey],
  submitEvidence: [
    checks.checkSubmitEvidence,
    schemas.submitEvidenceSchema,
    payload({ actor, stepId, itemId: text(64), role: text(10), value: presentJsonValue, note: text(4000), signature }),
  ],
  reportError: [
    checks.checkReportError,
    schemas.reportErrorSchema,
    payload({
      actor,
      anonymous: sometimes(fc.boolean()),
      severity: sometimes(fc.constantFrom(...SEVERITIES, 'urgent')),
      description: text(8000),
      receiptHash: sometimes(hexOf(64)),
      signature,
    }),
  ],
  resolveReport: [
    checks.checkResolveReport,
    schemas.resolveReportSchema,
    payload({ actor, reportId: text(64), resolution: text(8000), signature }),
  ],
  acknowledgeReport: [
    checks.checkAcknowledgeReport,
    schemas.acknowledgeReportSchema,
    payload({ actor, reportId: text(64), text: text(8000), signature }),
  ],
  stopLine: [checks.checkStopLine, schemas.stopLineSchema, payload({ actor, reason: text(4000), signature })],
  requestRollback: [
    checks.checkRequestRollback,
    schemas.requestRollbackSchema,
    payload({ actor, reason: text(4000), signature }),
  ],
  resendNotification: [
    checks.checkResendNotification,
    schemas.resendNotificationSchema,
    payload({ actor, stepId, signature }),
  ],
  submitReview: [
    checks.checkSubmitReview,
    schemas.submitReviewSchema,
    payload({
      actor,
      sampleSize: count,
      overrides: count,
      findings: sometimes(
        fc.oneof(
          fc.array(finding, { maxLength: 3 }),
          fc.constant(Array.from({ length: 51 }, () => ({ summary: 'x', severity: 'low' }))),
        ),
      ),
      note: text(4000),
      signature,
    }),
  ],
} as const satisfies Record<string, readonly [Check<unknown>, z.ZodType, fc.Arbitrary<unknown>]>;

const link = fc.oneof(
  fc.webUrl(),
  fc.constantFrom(
    'javascript:alert(1)',
    'data:text/plain,x',
    ' https://a.example/x ',
    'https://a.example/\tx',
    'not a url',
    `https://a.example/${'p'.repeat(2000)}`,
  ),
  fc.string(),
);
const evidenceValues = {
  number: fc.oneof(fc.double(), junk),
  url: fc.oneof(link, junk),
  document: fc.oneof(
    fc.record(
      { name: text(300), sha256: sometimes(hexOf(64)), url: fc.oneof(link, junk), more: fc.integer() },
      { requiredKeys: [] },
    ),
    junk,
  ),
  attestation: fc.oneof(fc.constantFrom(true, false, 'true', 1), junk),
  text: text(20_000),
} as const;

describe('message checks inside the workflow = the zod schemas the server parses with', () => {
  for (const [name, [check, schema, input]] of Object.entries(messages)) {
    it(`${name}: same verdict, value and first problem`, () => {
      fc.assert(
        fc.property(input, (value) => sameVerdict(check, schema, value)),
        { numRuns: 400 },
      );
    });
  }

  for (const type of Object.keys(evidenceValues) as (keyof typeof evidenceValues)[]) {
    it(`evidence value "${type}": same verdict, value and first problem`, () => {
      fc.assert(
        fc.property(evidenceValues[type], (value) =>
          sameVerdict(evidenceValueChecks[type], schemas.evidenceValueSchemas[type], value),
        ),
        { numRuns: 300 },
      );
    });
  }

  it('document evidence is one check for both (the workflow and the evidence value of type "document")', () => {
    expect(evidenceValueChecks.document).toBe(documentEvidence);
  });

  it('refuses control characters in free text, naming the field, and keeps tab and line breaks', () => {
    const actor = { id: 'ana' };
    const problem = {
      ok: false,
      message: 'must not contain control characters (such as NUL or ESC; tab and line breaks are fine)',
    };
    const cases = [
      [checks.checkApproveStep, { actor, stepId: 's', comment: 'fine\u0000' }, 'comment'],
      [checks.checkRejectStep, { actor, stepId: 's', comment: '\u001b[31mred' }, 'comment'],
      [checks.checkSubmitEvidence, { actor, stepId: 's', itemId: 'i', value: 1, note: 'a\u0007' }, 'note'],
      [checks.checkReportError, { actor, severity: 'high', description: 'x\u0000y' }, 'description'],
      [checks.checkResolveReport, { actor, reportId: 'R1', resolution: 'done\u0008' }, 'resolution'],
      [checks.checkAcknowledgeReport, { actor, reportId: 'R1', text: 'seen\u007f' }, 'text'],
      [checks.checkStopLine, { actor, reason: 'stop\u0000' }, 'reason'],
      [checks.checkSubmitReview, { actor, sampleSize: 1, overrides: 0, note: '\u0000' }, 'note'],
    ] as const;
    for (const [check, value, field] of cases) expect(check(value, [])).toEqual({ ...problem, path: [field] });
    expect(evidenceValueChecks.text('a\u0000', [])).toEqual({ ...problem, path: [] });
    // C1 controls and names too (the actor's name took anything before).
    expect(checks.checkStopLine({ actor, reason: 'stop\u009b2J' }, [])).toEqual({ ...problem, path: ['reason'] });
    expect(checks.checkStopLine({ actor: { id: 'ana', name: 'Ana\u0007' }, reason: 'r' }, [])).toEqual({
      ...problem,
      path: ['actor', 'name'],
    });
    expect(checks.checkStopLine({ actor, reason: ' line one\r\n\tline two ' }, [])).toEqual({
      ok: true,
      value: { actor, reason: 'line one\r\n\tline two' },
    });
  });

  it('refuses a lone UTF-16 surrogate in free text, naming the field, and keeps a pair', () => {
    const actor = { id: 'ana' };
    const problem = { ok: false, message: 'must be valid Unicode (a lone UTF-16 surrogate is not a character)' };
    expect(checks.checkReportError({ actor, severity: 'low', description: 'x\ud800' }, [])).toEqual({
      ...problem,
      path: ['description'],
    });
    expect(checks.checkApproveStep({ actor, stepId: 's', comment: '\udfff' }, [])).toEqual({
      ...problem,
      path: ['comment'],
    });
    expect(evidenceValueChecks.document({ name: 'a\udbff.pdf', sha256: 'a'.repeat(64) }, [])).toEqual({
      ...problem,
      path: ['name'],
    });
    expect(checks.checkStopLine({ actor, reason: 'ok \ud83d\ude00' }, [])).toMatchObject({ ok: true });
    for (const value of [
      { actor, reason: 'x\ud800' },
      { actor: { id: 'ana', name: '\u0085' }, reason: 'r' },
    ])
      sameVerdict(checks.checkStopLine, schemas.stopLineSchema, value);
  });

  it("keeps names (a person's, a document's) on one line; free text keeps its line breaks", () => {
    const problem = { ok: false, message: 'must be one line (no tab or line break)' };
    const named = { actor: { id: 'ana', name: 'Ana\nSmith' }, reason: 'line one\nline two' };
    expect(checks.checkStopLine(named, [])).toEqual({ ...problem, path: ['actor', 'name'] });
    sameVerdict(checks.checkStopLine, schemas.stopLineSchema, named);
    const document = { name: 'report\t2.pdf', sha256: 'a'.repeat(64) };
    expect(evidenceValueChecks.document(document, [])).toEqual({ ...problem, path: ['name'] });
    sameVerdict(evidenceValueChecks.document, schemas.evidenceValueSchemas.document, document);
  });

  it('checks a recorded message by the rule of its day when a handler replays it', () => {
    const actor = { id: 'ana', name: 'Ana\u0085\n' };
    const taken = { actor, stepId: 's', comment: 'C1 \u009b, \ud800' };
    // golive-plain-text's rule: C0 and DEL in the free text it named, nothing else.
    expect(withPlainTextRule('c0', () => checks.checkApproveStep(taken, []))).toMatchObject({ ok: true });
    expect(withPlainTextRule('c0', () => checks.checkApproveStep({ ...taken, comment: 'a\u0000' }, []))).toMatchObject({
      ok: false,
      path: ['comment'],
    });
    expect(
      withPlainTextRule('none', () => checks.checkApproveStep({ ...taken, comment: 'a\u0000' }, [])),
    ).toMatchObject({
      ok: true,
    });
    expect(checks.checkApproveStep(taken, [])).toMatchObject({ ok: false, path: ['actor', 'name'] });
  });

  it('finds the broken field in a valid message, with the schema`s own message', () => {
    const valid = { actor: { id: 'ana', roles: ['risk-owner'] }, stepId: 'gate-4', comment: '  fine  ' };
    expect(checks.checkApproveStep(valid, [])).toEqual({ ok: true, value: { ...valid, comment: 'fine' } });
    expect(checks.checkRejectStep({ ...valid, comment: '   ' }, [])).toEqual({
      ok: false,
      path: ['comment'],
      message: 'a rejection needs a comment',
    });
    expect(checks.checkApproveStep({ ...valid, actor: { id: 'ana', roles: ['Risk'] } }, [])).toMatchObject({
      ok: false,
      path: ['actor', 'roles', 0],
    });
  });
});
