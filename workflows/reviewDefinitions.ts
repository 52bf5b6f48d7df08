import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { OversightDuty } from '../src/runbook/schema';
import { actorSchema, messageSignatureSchema, severitySchema, type Actor, type Delegation } from './definitions';
import type { PinnedKey } from './signedMessages';

/**
 * The scheduled oversight review's messages (review.ts), imported by the server, the CLI and
 * the schedules activity. A review is its own small workflow that a Temporal Schedule starts;
 * its input is fixed when golive creates the schedule at go-live.
 */

export const OVERSIGHT_REVIEW_WORKFLOW = 'oversightReview';

/** Schedule ids derive from the run and the duty, so creating them again (a retry) finds them. */
export const oversightScheduleId = (runId: string, dutyId: string) => `${runId}.oversight.${dutyId}`;
/** Temporal appends the fire time to this id for each review it starts. */
export const reviewWorkflowIdPrefix = (runId: string, dutyId: string) => `${runId}.review.${dutyId}`;

export interface ReviewInput {
  parentRunId: string;
  system: string;
  collaborationMode: number;
  duty: OversightDuty;
  /** Who put the system live: never its reviewer (four-eyes). */
  initiatorId: string;
  assignments: Record<string, string[]>;
  delegations: Delegation[];
  directoryBound: boolean;
  /** The keys the parent run pinned: the review accepts only what golive signed. */
  signingKeys?: PinnedKey[];
}

export const reviewFindingSchema = z.strictObject({
  summary: z.string().trim().min(1, 'describe the finding').max(4000),
  severity: severitySchema,
  /** Raise a Red Button report on the go-live run from this finding (during hypercare). */
  report: z.boolean().default(false),
});

export const submitReviewSchema = z.strictObject({
  actor: actorSchema,
  /** AI decisions the reviewer sampled. */
  sampleSize: z.number().int().min(0).max(100_000),
  /** Of those, decisions the reviewer overrode. */
  overrides: z.number().int().min(0).max(100_000),
  findings: z.array(reviewFindingSchema).max(50).default([]),
  note: z.string().trim().max(4000).optional(),
  signature: messageSignatureSchema.optional(),
});
export type SubmitReviewInput = z.input<typeof submitReviewSchema>;

export type ReviewStatus = 'waiting' | 'done' | 'missed';

export interface ReviewRecord {
  by: Actor;
  role: string;
  at: string;
  sampleSize: number;
  overrides: number;
  findings: z.infer<typeof reviewFindingSchema>[];
  note?: string;
  /** The signing key that vouched for the reviewer. */
  keyId?: string;
}

export interface ReviewView {
  reviewId: string;
  parentRunId: string;
  system: string;
  collaborationMode: number;
  dutyId: string;
  dutyTitle: string;
  reviewers: string[];
  /** Asked for: the sample size the duty requires. */
  sampleSize: number;
  status: ReviewStatus;
  startedAt: string;
  dueAt: string;
  review?: ReviewRecord;
  escalations: { level: number; at: string; notified: string[]; missed: boolean }[];
  /** Ids of the signing keys the review accepts (the parent run's). */
  pinnedKeys: string[];
}

export const submitReviewUpdate = defineUpdate<ReviewView, [SubmitReviewInput]>('submitReview');
export const getReviewQuery = defineQuery<ReviewView>('getReview');
