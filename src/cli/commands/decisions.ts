import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { evidenceBodySchema } from '../../server/api';
import { REFUSAL_TYPES, type StepView } from '../../contract/definitions';
import { approveStepSchema, rejectStepSchema } from '../../contract/schemas/messages';
import { RefusedByServerError, type FieldFlags } from '../api';
import { defineCommand, jsonFlag } from '../args';
import type { CommandContext } from '../context';
import { CliError } from '../errors';
import { print, printJson } from '../output';
import { stepDetail } from '../runView';
import { runArg, runSchema } from './runs';

/** Approve, reject and submit evidence: the server checks who may, the CLI says what happened. */

const stepArg = { name: 'STEP', description: 'the step id (golive status RUN lists them)' } as const;
const stepSchema = approveStepSchema.shape.stepId;
const roleOption = {
  type: 'string',
  value: 'ROLE',
  description: 'which of your roles in this run you act in (default: the first that may)',
} as const;
const jsonOption = { type: 'boolean', description: 'print the step as the server returned it, as JSON' } as const;
const DECISION_FLAGS: FieldFlags = {
  comment: '--comment',
  role: '--role',
  itemId: '--item',
  value: '--value',
  note: '--note',
};

function printStep(ctx: CommandContext, json: boolean, step: StepView): void {
  if (json) return printJson(ctx.io, { step });
  const detail = stepDetail(step);
  print(ctx.io, `${step.id}: ${step.status}${detail ? ` — ${detail}` : ''}`);
}

/**
 * A step decided with a passkey cannot be decided here: the approver's device signs it in the
 * browser. The refusal says so; this adds where to go.
 */
function passkeyHint(err: unknown, runPage: string): unknown {
  if (!(err instanceof RefusedByServerError) || err.reason !== REFUSAL_TYPES.passkeyRequired) return err;
  return new CliError(err.message, [
    ...err.details,
    `decide it in the web UI: ${runPage} (your passkeys: ${new URL('/passkeys', runPage).href})`,
  ]);
}

/** approve and reject differ in the decision and whether the comment is required. */
function decisionCommand(decision: 'approve' | 'reject') {
  const comment = decision === 'approve' ? approveStepSchema.shape.comment : rejectStepSchema.shape.comment;
  return defineCommand({
    name: decision,
    group: 'decisions',
    summary:
      decision === 'approve'
        ? 'Approve a step that waits for your approval.'
        : 'Reject a step that waits for your approval (the run rolls back).',
    positionals: [runArg, stepArg],
    options: {
      comment: { type: 'string', value: 'TEXT', description: 'why: recorded in the audit trail' },
      role: roleOption,
      json: jsonOption,
    },
    schema: z.object({ run: runSchema, step: stepSchema, comment, role: approveStepSchema.shape.role, json: jsonFlag }),
    examples: [
      `golive ${decision} "$RUN" guardian-sign-off --comment "${decision === 'approve' ? 'oversight plan reviewed' : 'no fallback for outages'}"`,
    ],
    async run(input, ctx) {
      const api = await ctx.api();
      const extra = { ...(input.role ? { role: input.role } : {}) };
      const body =
        decision === 'approve'
          ? { decision, ...extra, ...(input.comment ? { comment: input.comment } : {}) }
          : { decision, ...extra, comment: input.comment ?? '' };
      const { step } = await api.decide(input.run, input.step, body, DECISION_FLAGS).catch((err: unknown) => {
        throw passkeyHint(err, api.runPageUrl(input.run));
      });
      printStep(ctx, input.json, step);
    },
  });
}

export const resend = defineCommand({
  name: 'resend',
  group: 'decisions',
  summary: 'Send an undelivered notification again (exit 1 if it still does not get through).',
  positionals: [runArg, stepArg],
  options: { json: jsonOption },
  schema: z.object({ run: runSchema, step: stepSchema, json: jsonFlag }),
  examples: ['golive resend "$RUN" announce-go-live'],
  async run(input, ctx) {
    const { step } = await (await ctx.api()).resend(input.run, input.step);
    printStep(ctx, input.json, step);
    if (step.undelivered)
      throw new CliError(`${step.id} is still not delivered: ${step.warning ?? 'see the run page'}`);
  },
});

export const approve = decisionCommand('approve');
export const reject = decisionCommand('reject');

/**
 * `--value` is read as JSON when it is JSON (`99`, `true`, `"42"`) and as text otherwise, so a
 * number item gets a number and an attestation `true` without knowing the item's type here.
 */
export function evidenceValue(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'number' || typeof parsed === 'boolean' || typeof parsed === 'string') return parsed;
  } catch {
    // not JSON: plain text
  }
  return text;
}

/** A document item records the file's name and SHA-256, never its content. */
export async function documentEvidence(file: string): Promise<{ name: string; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new CliError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return { name: path.basename(file), sha256: createHash('sha256').update(bytes).digest('hex') };
}

export const evidence = defineCommand({
  name: 'evidence',
  group: 'decisions',
  summary: 'Submit an evidence item for a step.',
  description:
    'Give exactly one of --value and --file. A --file becomes a document item {name, sha256}: the file stays with you.',
  positionals: [runArg, stepArg],
  options: {
    item: { type: 'string', value: 'ID', description: 'the evidence item id' },
    value: {
      type: 'string',
      value: 'V',
      description:
        'a number, true (attestation), a URL or text; a JSON number, true/false or "quoted text" is read as such ("42" with its quotes stays text), anything else as text: a document item takes --file',
    },
    file: { type: 'string', value: 'FILE', description: 'a document: its name and SHA-256 are submitted' },
    note: { type: 'string', value: 'TEXT', description: 'a note for reviewers' },
    role: roleOption,
    json: jsonOption,
  },
  schema: z
    .object({
      run: runSchema,
      step: stepSchema,
      item: evidenceBodySchema.shape.itemId,
      value: z.string().optional(),
      file: z.string().min(1).optional(),
      note: evidenceBodySchema.shape.note,
      role: evidenceBodySchema.shape.role,
      json: jsonFlag,
    })
    .refine((i) => (i.value === undefined) !== (i.file === undefined), {
      message: 'give exactly one of --value and --file',
    }),
  examples: [
    'golive evidence "$RUN" validation-report --item accuracy --value 97.5',
    'golive evidence "$RUN" model-card --item card --file docs/model-card.pdf',
  ],
  async run(input, ctx) {
    const value = input.file !== undefined ? await documentEvidence(input.file) : evidenceValue(input.value ?? '');
    const api = await ctx.api();
    const body = {
      itemId: input.item,
      value,
      ...(input.note ? { note: input.note } : {}),
      ...(input.role ? { role: input.role } : {}),
    };
    const { step } = await api.submitEvidence(input.run, input.step, body, DECISION_FLAGS);
    printStep(ctx, input.json, step);
  },
});
