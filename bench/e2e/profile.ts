import fs from 'node:fs';
import path from 'node:path';

/**
 * `npx tsx bench/e2e/profile.ts <folder> [top]`: the functions that cost the most self time in
 * each V8 CPU profile of the folder (written by the benchmark's processes with E2E_CPU_PROF), so
 * a change is aimed at what a measurement named.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '');
  return `${functionName || '(anonymous)'} ${file ? `${path.basename(path.dirname(file))}/${path.basename(file)}:${lineNumber + 1}` : ''}`;
}

function summarise(file: string, top: number): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const key = where(byId.get(id)!);
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
  });
  const idle = (selfMs.get('(idle) ') ?? 0) + (selfMs.get('(program) ') ?? 0);
  const lines = [...selfMs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([k, ms]) =>
        `  ${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / Math.max(1, totalMs - idle)).toFixed(1).padStart(5)}%  ${k}`,
    );
  return [
    `${path.basename(file)}: ${(totalMs / 1000).toFixed(1)} s sampled, ${((totalMs - idle) / 1000).toFixed(1)} s busy`,
    ...lines,
  ].join('\n');
}

const [dir, top] = process.argv.slice(2);
if (!dir) {
  console.error('usage: npx tsx bench/e2e/profile.ts <folder> [top]');
  process.exit(2);
}
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  console.log(summarise(path.join(dir, f), Number(top) || 25));
}
