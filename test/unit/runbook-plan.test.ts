import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbookFile } from '../../src/runbook/load';
import { findCycle, formatPlan, resolveDependencies, toMermaid, topologicalLevels } from '../../src/runbook/plan';
import type { Runbook } from '../../src/contract/schemas/runbook';

const VALID = path.resolve(__dirname, '../fixtures/runbooks/valid.yaml');
const DEFAULT_RUNBOOK = path.resolve(__dirname, '../../runbooks/default.yaml');

const ids = (levels: { step: { id: string } }[][]) => levels.map((l) => l.map((r) => r.step.id));

describe('plan', () => {
  it('resolves after (omitted: previous step; []: at once) into parallel stages', async () => {
    const { runbook } = await loadRunbookFile(VALID);
    expect(ids(topologicalLevels(resolveDependencies(runbook)))).toEqual([
      ['health', 'ports'],
      ['report'],
      ['signoff'],
      ['hypercare'],
    ]);
  });

  it('runs the entry criteria first and training beside the compliance dossier in the default runbook', async () => {
    const { runbook } = await loadRunbookFile(DEFAULT_RUNBOOK);
    const levels = ids(topologicalLevels(resolveDependencies(runbook)));
    expect(levels[0]).toEqual(['entry-criteria']);
    expect(levels[1]).toEqual(['system-connections', 'network-ports']);
    expect(levels).toContainEqual(['training-and-feedback', 'leadership-endorsement', 'compliance-dossier']);
    expect(levels.at(-1)).toEqual(['hypercare']);
  });

  it('names a cycle in run order', () => {
    const step = (id: string, after: string[]) =>
      ({ id, after, kind: 'action', title: id }) as unknown as Runbook['steps'][number];
    const resolved = resolveDependencies({
      entryCriteria: [],
      steps: [step('a', ['c']), step('b', ['a']), step('c', ['b']), step('d', [])],
    });
    expect(findCycle(resolved)).toEqual(['a', 'b', 'c', 'a']);
    expect(() => topologicalLevels(resolved)).toThrow(/cycle/);
  });

  it('formats a text plan with stages and what each step does', async () => {
    const { runbook } = await loadRunbookFile(VALID);
    expect(formatPlan(runbook)).toBe(
      [
        'Small runbook (small 1.0.0): 5 steps in 4 stages',
        '',
        'Stage 1 (2 in parallel)',
        '  health: Health check',
        '      action http-check',
        '  ports: Port check',
        '      action tcp-check',
        '',
        'Stage 2',
        '  report: Report',
        '      evidence: 1 item (report); after health, ports',
        '',
        'Stage 3',
        '  signoff: Sign-off',
        '      approval by guardian within 1d, covers report; after report',
        '',
        'Stage 4',
        '  hypercare: Hypercare',
        '      hypercare for 1d, reports answered within 1h; after signoff',
      ].join('\n'),
    );
  });

  it('draws a Mermaid flowchart with a shape per kind and an edge per dependency', async () => {
    const { runbook } = await loadRunbookFile(VALID);
    const lines = toMermaid(runbook).split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(lines).toContain('  s0["Health check<br/>http-check"]');
    expect(lines).toContain('  s2[/"Report<br/>evidence"/]');
    expect(lines).toContain('  s3{"Sign-off<br/>approval"}');
    expect(lines).toContain('  s4(["Hypercare<br/>hypercare"])');
    expect(lines.filter((l) => l.includes('-->'))).toEqual([
      '  s0 --> s2',
      '  s1 --> s2',
      '  s2 --> s3',
      '  s3 --> s4',
    ]);
  });
});
