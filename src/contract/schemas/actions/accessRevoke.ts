import { z } from 'zod';
import { accessParams, roleBinding } from './access';

export const accessRevokeParams = accessParams;
export type AccessRevokeParams = z.input<typeof accessRevokeParams>;

export const accessRevokeResult = z.object({ revoked: z.array(roleBinding), status: z.number().int() });
export type AccessRevokeResult = z.infer<typeof accessRevokeResult>;
