import { describe, expect, it } from 'vitest';
import { recordedRoleIdSchema, roleIdSchema } from '../../src/contract/schemas/runbook';

describe('roleIdSchema', () => {
  it("names a role id, with a role for example, when given a role's title", () => {
    const result = roleIdSchema.safeParse('AI Product Manager');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      'must be a role id: lowercase letters, digits and dashes (e.g. "guardian")',
    ]);
    expect(roleIdSchema.safeParse('ai-product-manager').success).toBe(true);
  });

  it("keeps the workflow's recorded words for the actor's roles in a message (replay)", () => {
    expect(recordedRoleIdSchema.safeParse('AI Product Manager').error?.issues.map((i) => i.message)).toEqual([
      'must be lowercase letters, digits and dashes (e.g. "load-test")',
    ]);
  });
});
