import { z } from 'zod';

export const tcpCheckParams = z.object({
  targets: z
    .array(
      z.object({
        name: z.string().min(1).optional(),
        host: z.string().min(1),
        port: z.number().int().min(1).max(65_535),
        timeoutMs: z.number().int().positive().max(60_000).default(3_000),
      }),
    )
    .min(1)
    .max(100),
});
export const tcpCheckResult = z.object({
  targets: z.array(
    z.object({
      name: z.string(),
      host: z.string(),
      port: z.number().int(),
      ok: z.boolean(),
      latencyMs: z.number().optional(),
      problem: z.string().optional(),
    }),
  ),
});
export type TcpCheckResult = z.infer<typeof tcpCheckResult>;
