import { z } from 'zod';
import { NOTIFY_SUBJECT_MAX } from '../../notifyLimits';

export const notifyParams = z.object({
  /** Roles or people (looked up in the notify directory) or e-mail addresses. */
  to: z.array(z.string().min(1)).min(1).max(100),
  subject: z.string().min(1).max(NOTIFY_SUBJECT_MAX),
  text: z.string().min(1).max(20_000),
  severity: z.enum(['info', 'warning', 'critical']).default('info'),
  /** Default: every configured channel. */
  channels: z
    .array(z.enum(['slack', 'email']))
    .min(1)
    .optional(),
});
export const notifyResult = z.object({
  recipients: z.array(z.string()),
  deliveries: z.array(z.object({ channel: z.enum(['slack', 'email']), ok: z.boolean(), detail: z.string() })),
  /** True when no channel was configured: the message exists only in the log and this result. */
  loggedOnly: z.boolean(),
});
export type NotifyResult = z.infer<typeof notifyResult>;
