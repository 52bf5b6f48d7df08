import { z } from 'zod';
import { DURATION, durationToMs } from '../duration';

/**
 * The runbook: a go-live as data. One zod schema is the single source of truth for what a
 * runbook may say; `z.infer` gives the types the workflow interprets.
 *
 * Pure (zod only): the workflow bundle imports the types, the loader and server the schema.
 * Cross-field rules (roles declared, `after` targets exist, no cycles, action params valid)
 * live in ./validate.ts, which reports every problem with its path.
 */

export const durationSchema = z
  .string()
  .regex(DURATION, 'must be a duration such as 500ms, 30s, 5m, 24h or 14d')
  // Zod 4 runs every check even after the regex failed: only measure what is a duration.
  .refine((v) => !DURATION.test(v.trim()) || durationToMs(v) > 0, 'must be longer than zero');

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const slug = z.string().min(1).max(64).regex(SLUG, 'must be lowercase letters, digits and dashes (e.g. "load-test")');

/**
 * A role id: a slug, in words about roles (people give a role by its title: the API's `role`,
 * `assignments`, the users file, a runbook's roles, the OIDC group table, the CLI's flags).
 */
export const roleIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(SLUG, 'must be a role id: lowercase letters, digits and dashes (e.g. "guardian")');
/**
 * The role ids of a message the workflow checks too (the actor's roles): the same rule in the
 * words its checks give (workflows/messageChecks.ts roleId), which history records for a refused
 * Signal, so replay is unchanged; test/unit/messageChecks.test.ts holds the two equal.
 */
export const recordedRoleIdSchema = slug;
export const roleSchema = z.strictObject({
  id: roleIdSchema,
  title: z.string().min(1).max(120),
  /** What the RACI matrix says this role does in the go-live. */
  description: z.string().max(2000).optional(),
  /** May a run assign this role to a named substitute who does not hold it in the directory
   *  (with a reason, recorded as a delegation)? Off unless the runbook says so. */
  delegable: z.boolean().default(false),
});

/** Run parameters a runbook declares; action params refer to them as `${params.name}`. */
const parameterSchema = z.strictObject({
  type: z.enum(['string', 'url', 'number', 'boolean']),
  description: z.string().max(500).optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
});

/** One item of evidence: what must be submitted, by whom, and what makes it acceptable. */
export const evidenceItemSchema = z.strictObject({
  id: slug,
  title: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  /** number: a measured value (min/max apply); url: a link (e.g. the feedback channel);
   *  document: a named document with its SHA-256; attestation: a person confirms it is true;
   *  text: free text. */
  type: z.enum(['number', 'url', 'document', 'attestation', 'text']),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Roles whose members may submit this item. */
  submittedBy: z.array(roleIdSchema).min(1),
  optional: z.boolean().default(false),
});
export type EvidenceItem = z.infer<typeof evidenceItemSchema>;

const retrySchema = z.strictObject({
  maximumAttempts: z.number().int().min(1).max(100).default(3),
  initialInterval: durationSchema.default('1s'),
  backoffCoefficient: z.number().min(1).max(10).default(2),
  maximumInterval: durationSchema.optional(),
});

/** An activity call: an action from the catalog with its parameters (checked against the
 *  action's own schema by ./validate.ts, after `${params.x}` placeholders are filled). */
const actionCallSchema = z.strictObject({
  action: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  timeout: durationSchema.default('5m'),
  heartbeatTimeout: durationSchema.optional(),
  retry: retrySchema.prefault({}),
});
export type ActionCall = z.infer<typeof actionCallSchema>;

const stepBase = {
  id: slug,
  title: z.string().min(1).max(200),
  description: z.string().max(4000).optional(),
  /** Step ids this step waits for. Omitted: the previous step in the list. []: starts at once. */
  after: z.array(slug).optional(),
  /** Which phase of the Delivery runbook the step belongs to (for the plan and the dossier). */
  phase: z.string().max(80).optional(),
};

export const actionStepSchema = z.strictObject({
  ...stepBase,
  kind: z.literal('action'),
  ...actionCallSchema.shape,
  /** The action that undoes this one when the run rolls back. */
  compensate: actionCallSchema.optional(),
  /** What a failure of this step does (after its retries): `fail` rolls the run back; a
   *  notification may say `warn` (record "not delivered", tell `escalateTo`, go on) or `retry`
   *  (retry with backoff first, then warn). Default: `retry` for notify, `fail` for the rest. */
  onFailure: z.enum(['fail', 'warn', 'retry']).optional(),
  /** Who hears when a notification was not delivered, and may resend it (default: the
   *  runbook's rollback and stop authorities). */
  escalateTo: z.array(roleIdSchema).min(1).optional(),
});

const escalationLevelSchema = z.strictObject({
  /** Measured from the moment the step started waiting. */
  after: durationSchema,
  /** Roles told that the decision is late. */
  notify: z.array(roleIdSchema).default([]),
  /** A role whose members may decide from now on, in place of those who did not. */
  delegateTo: roleIdSchema.optional(),
});
export type EscalationLevel = z.infer<typeof escalationLevelSchema>;

const approverSchema = z.strictObject({
  role: roleIdSchema,
  /** How many distinct people of this role must approve. */
  quorum: z.number().int().min(1).max(20).default(1),
});

const approvalStepSchema = z.strictObject({
  ...stepBase,
  kind: z.literal('approval'),
  approvers: z.array(approverSchema).min(1),
  /** The run's initiator may never approve. Kept as a field so a runbook states it, but it
   *  cannot be turned off: four-eyes is not optional in a regulated go-live. */
  fourEyes: z.literal(true).default(true),
  /** Evidence steps whose submitted evidence this decision covers (its hash is recorded). */
  covers: z.array(slug).default([]),
  deadline: durationSchema,
  escalation: z.array(escalationLevelSchema).default([]),
  /** At the final deadline: reject (the run rolls back) or hold and keep escalating. */
  onDeadline: z.enum(['reject', 'hold']).default('reject'),
  /** Each decision must be signed by the approver's own passkey (WebAuthn) over the exact
   *  decision: run, step, decision, comment and the evidence it covers. Decided in the web UI. */
  passkey: z.boolean().optional(),
});

const evidenceStepSchema = z.strictObject({
  ...stepBase,
  kind: z.literal('evidence'),
  items: z.array(evidenceItemSchema).min(1),
  deadline: durationSchema.optional(),
  escalation: z.array(escalationLevelSchema).default([]),
});

/**
 * An automated analysis during hypercare, like an Argo Rollouts AnalysisTemplate metric: a
 * PromQL query measured every `interval`; `failureLimit` failed measurements in a row are a
 * breach, which golive reports on the Red Button (and, with onBreach: stop, stops the line).
 */
const analysisSchema = z.strictObject({
  id: slug,
  title: z.string().min(1).max(200).optional(),
  /** Prometheus HTTP API; `${params.x}` placeholders are filled at start. */
  prometheusUrl: z.string().min(1).max(2_000),
  query: z.string().min(1).max(4_000),
  /** Highest acceptable value (inclusive). */
  max: z.number().optional(),
  /** Lowest acceptable value (inclusive). */
  min: z.number().optional(),
  /** No data (empty result or NaN): a failed measurement unless `pass`. */
  onEmpty: z.enum(['fail', 'pass']).default('fail'),
  interval: durationSchema.default('1m'),
  /** Consecutive failed measurements that make a breach. */
  failureLimit: z.number().int().min(1).max(100).default(3),
  /** report: golive raises a Red Button report; stop: and stops the line (rolls back). */
  onBreach: z.enum(['report', 'stop']).default('report'),
  /** Severity of the report golive raises. */
  severity: z.enum(['low', 'medium', 'high', 'critical']).default('high'),
  /** How long one measurement may take (the query, with its retries). */
  timeout: durationSchema.default('30s'),
});
export type Analysis = z.infer<typeof analysisSchema>;

/**
 * One thing the hypercare watch keeps an eye on: a JSON endpoint of the target and the fields of
 * its answer that must stay as the run left them. `select` paths are dot paths; `[*]` takes every
 * item of a list, `[field=value]` the items whose field has that value (`data.groups[name=ai].rules[*].name`).
 * Lists compare as sets (order does not matter).
 */
const watchProbeSchema = z.strictObject({
  id: slug,
  title: z.string().min(1).max(200).optional(),
  /** `${params.x}` placeholders are filled at start. */
  url: z.string().min(1).max(2_000),
  select: z.array(z.string().min(1).max(300)).min(1).max(20),
});
export type WatchProbe = z.infer<typeof watchProbeSchema>;

/**
 * The target as the run left it: at the start of hypercare golive reads every probe (the
 * baseline), then again every `interval`; a probe whose fields changed (a deploy, a binding or an
 * alert rule someone else changed) raises a Red Button report by golive.
 */
const targetWatchSchema = z.strictObject({
  interval: durationSchema.default('1m'),
  /** Severity of the report golive raises when the target changed. */
  severity: z.enum(['low', 'medium', 'high', 'critical']).default('high'),
  /** How long one reading of every probe may take. */
  timeout: durationSchema.default('30s'),
  probes: z.array(watchProbeSchema).min(1).max(20),
});
export type TargetWatch = z.infer<typeof targetWatchSchema>;

const hypercareStepSchema = z.strictObject({
  ...stepBase,
  kind: z.literal('hypercare'),
  /** How long the post-go-live watch lasts. */
  duration: durationSchema,
  /** Every Red Button report must get a response within this time. */
  responseDeadline: durationSchema,
  /** Who hears about a report, and who when its response is late. */
  notifyOnReport: z.array(roleIdSchema).default([]),
  escalation: z.array(escalationLevelSchema).default([]),
  /** Roles whose members may stop the line (which rolls the go-live back at once). */
  stopAuthority: z.array(roleIdSchema).min(1),
  /** Bounds history during long watches: the run continues-as-new (state carried) this often,
   *  besides whenever Temporal suggests it. */
  checkpointEvery: durationSchema.optional(),
  /** Automated analyses the run measures periodically while hypercare lasts. */
  analyses: z.array(analysisSchema).max(20).default([]),
  /** Watch the target for changes made by anything but this run. */
  watch: targetWatchSchema.optional(),
});

/**
 * Something the AI system does, and in which Collaboration Modes it may do it alone, needs a
 * person's approval each time, or is prohibited. The Human Oversight Protocol is generated from
 * these for the run's mode.
 */
const aiActivitySchema = z.strictObject({
  id: slug,
  title: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  /** From this mode up the AI does it alone. Absent: never alone. */
  aloneFrom: z.number().int().min(1).max(5).optional(),
  /** From this mode up (and below `aloneFrom`) a person approves each one first. Absent: prohibited below `aloneFrom`. */
  approvalFrom: z.number().int().min(1).max(5).optional(),
  /** Why it is placed so (e.g. "GDPR Art. 22: decisions with legal effect need a person"). */
  rationale: z.string().max(2000).optional(),
});
export type AiActivity = z.infer<typeof aiActivitySchema>;

/**
 * A recurring human-oversight duty of the protocol, for the Collaboration Modes it names (Mode 2:
 * a daily attestation that every suggestion was reviewed; Mode 4: sample N decisions weekly).
 * At go-live golive turns each duty of the run's mode into a Temporal Schedule firing a review.
 */
const oversightDutySchema = z.strictObject({
  id: slug,
  title: z.string().min(1).max(200),
  description: z.string().max(4000).optional(),
  /** The Collaboration Modes this duty applies to. */
  modes: z.array(z.number().int().min(1).max(5)).min(1),
  /** How often a review is due (a Temporal Schedule interval). */
  every: durationSchema,
  /** Roles whose members review (the Guardian or a named reviewer role). */
  reviewers: z.array(roleIdSchema).min(1),
  /** AI decisions to sample per review (0: an attestation without a sample). */
  sampleSize: z.number().int().min(0).max(100_000).default(0),
  /** A review not recorded within this time is missed. */
  within: durationSchema,
  /** Reminders and escalation while the review is open, measured from when it fell due. */
  escalation: z.array(escalationLevelSchema).default([]),
  /** Roles told when a review is missed. */
  onMissed: z.array(roleIdSchema).default([]),
});
export type OversightDuty = z.infer<typeof oversightDutySchema>;

/** The runbook's human-oversight section (the protocol's part golive acts on). */
const oversightSchema = z.strictObject({
  /** The AI system's activities and their autonomy per Collaboration Mode (the protocol's matrix). */
  aiActivities: z.array(aiActivitySchema).max(50).default([]),
  /** Recurring oversight after go-live, per Collaboration Mode (scheduled at go-live). */
  duties: z.array(oversightDutySchema).max(20).default([]),
});

const separationOfDutiesSchema = z.strictObject({
  /** Whoever started the run never decides on it (four-eyes). */
  initiatorNeverApproves: z.literal(true).default(true),
  /** Whoever submitted evidence that an approval `covers` does not decide that approval. */
  submitterNeverApproves: z.boolean().default(true),
  /** One person counts once per step, in whichever of their roles, approve or reject. */
  onePersonOneDecision: z.literal(true).default(true),
});
export type SeparationOfDuties = z.infer<typeof separationOfDutiesSchema>;

export const stepSchema = z.discriminatedUnion('kind', [
  actionStepSchema,
  approvalStepSchema,
  evidenceStepSchema,
  hypercareStepSchema,
]);

export type ActionStep = z.infer<typeof actionStepSchema>;
export type ApprovalStep = z.infer<typeof approvalStepSchema>;
export type EvidenceStep = z.infer<typeof evidenceStepSchema>;
export type HypercareStep = z.infer<typeof hypercareStepSchema>;
export type Step = z.infer<typeof stepSchema>;
export const runbookSchema = z.strictObject({
  id: slug,
  /** Semantic version of the runbook content. */
  version: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'must be a semantic version such as 1.2.0'),
  title: z.string().min(1).max(200),
  description: z.string().max(8000).optional(),
  /**
   * The production target this runbook goes live on, from the run's parameters (e.g.
   * `"${params.targetUrl}"`): golive keeps one open go-live per target. Absent: the system name
   * stands for the target.
   */
  target: z.string().min(1).max(1_000).optional(),
  roles: z.array(roleSchema).min(1),
  /** Collaboration Modes (1 = AI assists … 5 = AI acts autonomously within hard boundaries)
   *  this runbook may run under. */
  collaborationModes: z.array(z.number().int().min(1).max(5)).min(1).default([1, 2, 3, 4, 5]),
  parameters: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), parameterSchema).default({}),
  /** The Definition of Ready: evidence checked before any other step (becomes step "entry-criteria"). */
  entryCriteria: z.array(evidenceItemSchema).default([]),
  /** Roles that may stop the line or ask for a rollback at any time while the run is open. */
  stopAuthority: z.array(roleIdSchema).default([]),
  rollbackAuthority: z.array(roleIdSchema).default([]),
  /** Directory roles that may read every run of this runbook (state, trail, dossier) without
   *  being assigned in it: auditors and operations. People involved in a run always may. */
  readAuthority: z.array(roleIdSchema).default(['operations']),
  /** Separation of duties, enforced by the workflow on every decision; each rule is named in
   *  its refusals. The initiator rule and one decision per person cannot be turned off. */
  separationOfDuties: separationOfDutiesSchema.prefault({}),
  /** The Human Oversight Protocol: the AI's activities and autonomy per Collaboration Mode, and the
   *  recurring duties scheduled at go-live. */
  oversight: oversightSchema.optional(),
  steps: z.array(stepSchema).min(1),
});

/** A runbook as parsed (defaults filled). */
export type Runbook = z.infer<typeof runbookSchema>;
/** A runbook as written in a file. */
export type RunbookInput = z.input<typeof runbookSchema>;
