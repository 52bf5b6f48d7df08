import { z } from 'zod';
import { headers, httpUrl, timeoutMs } from './common';

/** Reads fields of JSON endpoints: what the hypercare watch compares with the run's baseline. */
export const targetSnapshotParams = z.object({
  probes: z
    .array(
      z.object({
        id: z.string().min(1).max(64),
        url: httpUrl,
        /** Dot paths with `[*]`, `[field=value]` and `[n]` (activities/select.ts). */
        select: z
          .array(
            z
              .string()
              .min(1)
              .max(300)
              .regex(
                /^(?:[^.[\]]+|\[[^\]]*\])(?:\.?(?:[^.[\]]+|\[[^\]]*\]))*$/,
                'must be a field path such as data.groups[name=x].rules[*].name',
              ),
          )
          .min(1)
          .max(20),
      }),
    )
    .min(1)
    .max(20),
  headers,
  timeoutMs,
});
export const targetSnapshotResult = z.object({
  probes: z.array(
    z.object({
      id: z.string(),
      url: z.string(),
      ok: z.boolean(),
      /** Selected path → its canonical value (null when absent). Only these fields, never the rest of the answer. */
      values: z.record(z.string(), z.unknown()).optional(),
      problem: z.string().optional(),
    }),
  ),
});
export type TargetSnapshotResult = z.infer<typeof targetSnapshotResult>;
