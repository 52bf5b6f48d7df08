import { z } from 'zod';
import { headers, httpUrl, idempotencyKey, timeoutMs } from './common';

export const rollbackDrillParams = z.object({
  /** POSTed `{ idempotencyKey }` to start the rollback. */
  rollbackUrl: httpUrl,
  /** POSTed `{ version, idempotencyKey }` to restore the release candidate afterwards. */
  deployUrl: httpUrl,
  /** GET, JSON with the serving version at `versionField`. */
  versionUrl: httpUrl,
  versionField: z.string().min(1).default('version'),
  /** GET, must answer 2xx once the previous version serves. */
  healthUrl: httpUrl,
  releaseVersion: z.string().min(1),
  /** When known, the version the rollback must reach; otherwise anything but the release. */
  previousVersion: z.string().min(1).optional(),
  windowSeconds: z.number().positive().max(3_600),
  restoreTimeoutSeconds: z.number().positive().max(3_600).default(120),
  pollIntervalMs: z.number().int().min(20).max(10_000).default(250),
  headers,
  timeoutMs,
  idempotencyKey,
});
export const rollbackDrillResult = z.object({
  previousVersion: z.string(),
  measuredMs: z.number(),
  windowSeconds: z.number(),
  restoredVersion: z.string(),
  restoreMs: z.number(),
});
export type RollbackDrillResult = z.infer<typeof rollbackDrillResult>;
