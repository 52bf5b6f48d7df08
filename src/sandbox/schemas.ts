import { z } from 'zod';
import { roleBinding, type RoleBinding } from '../contract/schemas/actions/access';

/** Request bodies of the sandbox, parsed at the edge (400 with the field path otherwise). */
export const predictBody = z.object({ text: z.string().min(1).max(10_000) });
export const deployBody = z.object({ version: z.string().min(1).max(200), idempotencyKey: z.string().min(1).max(200) });
export const rollbackBody = z.object({ idempotencyKey: z.string().min(1).max(200) });

// The sandbox speaks the same contract as the catalog's actions: one definition of each shape.
const binding = roleBinding;
export type Binding = RoleBinding;
export const bindingsBody = z.object({ bindings: z.array(binding).min(1).max(1_000) });

export const faultsBody = z
  .object({
    latencyMs: z.number().int().min(0).max(60_000),
    /** Every ⌈1/errorRate⌉-th data-plane request fails with 500: deterministic, so tests are. */
    errorRate: z.number().min(0).max(1),
    /** Health answers 503 and data-plane requests fail. */
    crash: z.boolean(),
    /** Deploys and rollbacks take this long before the new version serves. */
    rolloutMs: z.number().int().min(0).max(600_000),
  })
  .partial()
  .strict();
export type Faults = Required<z.infer<typeof faultsBody>>;

export const failoverBody = z.object({ durationMs: z.number().int().min(1).max(600_000) });
