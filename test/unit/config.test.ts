import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config';
import { durationToMs, durationSchema } from '../../src/runbook/duration';

describe('parseConfig', () => {
  it('fills defaults for the embedded setup', () => {
    const c = parseConfig({});
    expect(c.GOLIVE_PORT).toBe(8400);
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
    expect(c.GOLIVE_ALLOW_COMMANDS).toBe(false);
  });

  it('names the variable that is wrong', () => {
    expect(() => parseConfig({ GOLIVE_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseConfig({ GOLIVE_PORT: '70000' })).toThrow(/GOLIVE_PORT/);
    expect(() => parseConfig({ GOLIVE_ALLOW_COMMANDS: 'maybe' })).toThrow(/GOLIVE_ALLOW_COMMANDS/);
  });

  it('reads flags and numbers from text', () => {
    const c = parseConfig({ GOLIVE_ALLOW_COMMANDS: 'yes', GOLIVE_TEMPORAL_PORT: '7000' });
    expect(c.GOLIVE_ALLOW_COMMANDS).toBe(true);
    expect(c.GOLIVE_TEMPORAL_PORT).toBe(7000);
  });
});

describe('durations', () => {
  it('converts runbook durations to milliseconds', () => {
    expect(durationToMs('500ms')).toBe(500);
    expect(durationToMs('30s')).toBe(30_000);
    expect(durationToMs('1.5h')).toBe(5_400_000);
    expect(durationToMs('14d')).toBe(14 * 86_400_000);
  });

  it('rejects what people might write but golive does not read', () => {
    expect(durationSchema.safeParse('24 hours').success).toBe(false);
    expect(durationSchema.safeParse('0s').success).toBe(false);
    expect(() => durationToMs('soon')).toThrow(RangeError);
  });
});
