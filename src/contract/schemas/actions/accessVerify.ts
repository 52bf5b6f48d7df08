import { z } from 'zod';
import { accessEndpoint, roleBinding } from './access';

export const accessVerifyParams = accessEndpoint.extend({
  /** Must all be present. */
  bindings: z.array(roleBinding).max(1_000).default([]),
  /** Must all be absent (e.g. no admin for the service account). */
  absent: z.array(roleBinding).max(1_000).default([]),
});
export const accessVerifyResult = z.object({
  present: z.array(roleBinding),
  confirmedAbsent: z.array(roleBinding),
  total: z.number().int(),
});
export type AccessVerifyResult = z.infer<typeof accessVerifyResult>;
