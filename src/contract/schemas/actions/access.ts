import { z } from 'zod';
import { headers, httpUrl, timeoutMs } from './common';

/** Shared by access-apply, access-verify and access-revoke: one binding shape, one endpoint. */
export const roleBinding = z.object({
  subject: z.string().min(1),
  role: z.string().min(1),
  resource: z.string().min(1).optional(),
});
export type RoleBinding = z.infer<typeof roleBinding>;

export const accessEndpoint = z.object({
  /** The bindings endpoint: PUT adds, DELETE removes, GET lists `{ bindings: [...] }`. */
  url: httpUrl,
  headers,
  timeoutMs,
});

export const accessParams = accessEndpoint.extend({ bindings: z.array(roleBinding).min(1).max(1_000) });
