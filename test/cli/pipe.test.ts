import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** `golive … | head`: the reader closing the pipe early ends the output quietly (QA: an EPIPE stack trace). */
describe('golive writing to a pipe its reader closed', () => {
  it('exits without an error or a stack trace', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../bin/golive.cjs'), '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone before golive writes a byte
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|internal error|at .*\(/);
    expect(code).toBe(0);
  });
});
