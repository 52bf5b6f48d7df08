import { z } from 'zod';
import { accessParams, roleBinding } from './access';

export const accessApplyParams = accessParams;
export const accessApplyResult = z.object({ applied: z.array(roleBinding), status: z.number().int() });
export type AccessApplyResult = z.infer<typeof accessApplyResult>;
