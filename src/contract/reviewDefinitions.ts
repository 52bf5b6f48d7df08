import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { OversightDuty } from './schemas/runbook';
import type { Actor, Delegation, NotifyChannel, Severity } from './definitions';
import type { MessageSignature, PinnedKey } from './signedMessages';

/**
 * The scheduled oversight review's messages (review.ts), imported by the server, the CLI and
 * the schedules activity. A review is its own small workflow that a Temporal Schedule starts;
 * its input is fixed when golive creates the schedule at go-live. No zod here (the bundle
 * imports it): the server's schema is messageSchemas.ts `submitReviewSchema`, the workflow's
 * check messageChecks.ts `checkSubmitReview`, held equal by test/unit/messageChecks.test.ts.
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
  /** The parent run's notification channels (GoLiveInput.notifyChannels); empty: the review
   *  records its notifications in its view instead of scheduling `notify` activities. */
  notifyChannels?: NotifyChannel[];
}

export interface ReviewFindingInput {
  summary: string;
  severity: Severity;
  /** Raise a Red Button report on the go-live run from this finding (during hypercare). */
  report?: boolean;
}
export type ReviewFinding = Required<ReviewFindingInput>;

export interface SubmitReviewInput {
  actor: Actor;
  /** AI decisions the reviewer sampled. */
  sampleSize: number;
  /** Of those, decisions the reviewer overrode. */
  overrides: number;
  findings?: ReviewFindingInput[];
  note?: string;
  signature?: MessageSignature;
}

export type ReviewStatus = 'waiting' | 'done' | 'missed';

export interface ReviewRecord {
  by: Actor;
  role: string;
  at: string;
  sampleSize: number;
  overrides: number;
  findings: ReviewFinding[];
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
  /** Notifications recorded, not sent: no channel was configured (absent: none such). */
  notifications?: { at: string; to: string[]; subject: string }[];
  /** Ids of the signing keys the review accepts (the parent run's). */
  pinnedKeys: string[];
}

export const submitReviewUpdate = defineUpdate<ReviewView, [SubmitReviewInput]>('submitReview');
export const getReviewQuery = defineQuery<ReviewView>('getReview');
