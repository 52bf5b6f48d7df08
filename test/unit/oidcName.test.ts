import { describe, expect, it } from 'vitest';
import { nameFromClaim } from '../../src/auth/oidc';

describe("a person's name from the ID token", () => {
  it('is the name claim when golive takes it as a name, else the person id', () => {
    expect(nameFromClaim('  Ana Smith ', 'ana')).toBe('Ana Smith');
    expect(nameFromClaim('Ana\nSmith', 'ana')).toBe('ana');
    expect(nameFromClaim('Ana\u0085', 'ana')).toBe('ana');
    expect(nameFromClaim('Ana \ud800', 'ana')).toBe('ana');
    expect(nameFromClaim('   ', 'ana')).toBe('ana');
    expect(nameFromClaim(undefined, 'ana')).toBe('ana');
  });
});
