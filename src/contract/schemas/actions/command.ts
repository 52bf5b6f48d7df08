import { z } from 'zod';

export const commandParams = z.object({
  /** Program and arguments, run without a shell: no globbing, no injection through params. */
  argv: z
    .array(z.string())
    .min(1)
    .refine((a) => (a[0] ?? '').length > 0, 'program must not be empty'),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).default({}),
  timeoutMs: z.number().int().positive().max(3_600_000).default(60_000),
  /** Per stream; the rest is dropped and `truncated` says so. */
  maxOutputChars: z.number().int().min(0).max(1_000_000).default(16_000),
  expectExitCode: z.number().int().default(0),
});
export const commandResult = z.object({
  argv: z.array(z.string()),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  durationMs: z.number(),
  stdout: z.string(),
  stderr: z.string(),
  truncated: z.boolean(),
});
export type CommandResult = z.infer<typeof commandResult>;
