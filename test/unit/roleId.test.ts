import { describe, expect, it } from 'vitest';
import { roleIdSchema } from '../../src/contract/schemas/runbook';

describe('roleIdSchema', () => {
  it("names a role id, with a role for example, when given a role's title", () => {
    const result = roleIdSchema.safeParse('AI Product Manager');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      'must be a role id: lowercase letters, digits and dashes (e.g. "guardian")',
    ]);
    expect(roleIdSchema.safeParse('ai-product-manager').success).toBe(true);
  });
});
