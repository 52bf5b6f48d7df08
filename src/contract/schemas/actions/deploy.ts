import { z } from 'zod';
import { expectStatus, headers, httpUrl, idempotencyKey, pollSpec, timeoutMs } from './common';
import { idempotentCallResult } from './webhook';

export const deployParams = z.object({
  /** POSTed `{ version, idempotencyKey, ...extra }` with an `Idempotency-Key` header. */
  url: httpUrl,
  version: z.string().min(1).max(200),
  extra: z.record(z.string(), z.unknown()).default({}),
  headers,
  expectStatus: expectStatus.optional(),
  timeoutMs,
  idempotencyKey,
  /** Wait until the target reports the new version (e.g. `{ url: …/version, until: { version } }`). */
  poll: pollSpec.optional(),
  /** Where the compensation POSTs to undo this deploy; no compensation without it. */
  rollbackUrl: httpUrl.optional(),
});
export const deployResult = idempotentCallResult.extend({ version: z.string() });
export type DeployResult = z.infer<typeof deployResult>;
