import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionIndex, withTransportDefaults } from '../../src/contract/actionIndex';
import { actionCatalog } from '../../src/contract/schemas/catalog';

/**
 * The workflow derives a completed step's undo from its params without zod (actionIndex.ts adds
 * only the transport defaults the schemas would fill). For any params the action's schema
 * accepts, the undo must be the one derived from the schema's own parse.
 */

const url = fc.webUrl({ withQueryParameters: false, withFragments: false }).filter((u) => /^https?:\/\/\S+$/.test(u));
const transport = {
  headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  timeoutMs: fc.integer({ min: 1, max: 600_000 }),
  stray: fc.string(),
};
const binding = fc.record(
  {
    subject: fc.string({ minLength: 1, maxLength: 5 }),
    role: fc.string({ minLength: 1, maxLength: 5 }),
    resource: fc.string({ minLength: 1, maxLength: 5 }),
    stray: fc.integer(),
  },
  { requiredKeys: ['subject', 'role'] },
);

const paramsOf = {
  'access-apply': fc.record(
    { url, bindings: fc.array(binding, { minLength: 1, maxLength: 3 }), ...transport },
    { requiredKeys: ['url', 'bindings'] },
  ),
  deploy: fc.record(
    {
      url,
      version: fc.string({ minLength: 1, maxLength: 10 }),
      rollbackUrl: url,
      extra: fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
      ...transport,
    },
    { requiredKeys: ['url', 'version'] },
  ),
  'monitoring-activate': fc.record(
    {
      prometheusUrl: url,
      ruleFile: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
      rules: fc.constant([{ name: 'HighErrorRate', expr: 'up == 0' }]),
      dashboard: fc.constant({ source: 'dashboards/ai.json' }),
      ...transport,
    },
    { requiredKeys: ['prometheusUrl', 'ruleFile', 'rules'] },
  ),
} as const;

describe('compensation without zod', () => {
  it('covers every action that has an undo', () => {
    const undoable = Object.entries(actionIndex)
      .filter(([, spec]) => 'compensation' in spec)
      .map(([name]) => name);
    expect(undoable.sort()).toEqual(Object.keys(paramsOf).sort());
  });

  for (const [name, params] of Object.entries(paramsOf) as [
    keyof typeof paramsOf,
    fc.Arbitrary<Record<string, unknown>>,
  ][]) {
    it(`${name}: the undo from the raw params equals the undo from the schema's parse`, () => {
      const undo = actionIndex[name].compensation as (p: unknown) => unknown;
      fc.assert(
        fc.property(params, (p) => {
          const parsed = actionCatalog[name].params.safeParse(p);
          expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
          expect(undo(withTransportDefaults(p))).toEqual(undo(parsed.data));
        }),
        { numRuns: 200 },
      );
    });
  }
});
