import { CancelledFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { command } from '../../activities/command';
import { activityEnv, exec, expectFailure, makeDeps } from './harness';

const node = process.execPath;
const allowed = makeDeps({ allowCommands: true }, { TOKEN: 'tok-123' });

describe('command', () => {
  it('is refused unless the worker allows commands', async () => {
    await expectFailure(exec(command(makeDeps()), { argv: [node, '-e', '1'] }), 'CommandsDisabled', true);
  });

  it('runs without a shell, captures output, and scrubs resolved secrets', async () => {
    const r = await exec(command(allowed), {
      argv: [node, '-e', 'console.log(process.argv[1], "$HOME"); console.error("warn")', '${secrets.TOKEN}'],
    });
    expect(r.exitCode).toBe(0);
    // "$HOME" stays literal: no shell expanded it.
    expect(r.stdout.trim()).toBe('[redacted] $HOME');
    expect(r.stderr.trim()).toBe('warn');
    expect(r.argv[3]).toBe('${secrets.TOKEN}');
  });

  it('truncates long output and says so', async () => {
    const r = await exec(command(allowed), {
      argv: [node, '-e', 'process.stdout.write("x".repeat(10000))'],
      maxOutputChars: 100,
    });
    expect(r.stdout).toHaveLength(100);
    expect(r.truncated).toBe(true);
  });

  it('fails for good on an unexpected exit code, retryably on a timeout', async () => {
    const f = await expectFailure(
      exec(command(allowed), { argv: [node, '-e', 'process.exit(3)'] }),
      'CommandFailed',
      true,
    );
    expect(f.details?.[0]).toMatchObject({ exitCode: 3 });
    await expectFailure(
      exec(command(allowed), { argv: [node, '-e', 'setTimeout(() => {}, 10000)'], timeoutMs: 300 }),
      'CommandTimedOut',
      false,
    );
    await expectFailure(exec(command(allowed), { argv: ['/no/such/program'] }), 'CommandFailed', true);
  });

  it('kills the process when cancelled', async () => {
    const env = activityEnv();
    const p = env.run(command(allowed), { argv: [node, '-e', 'setTimeout(() => {}, 30000)'] });
    setTimeout(() => env.cancel(), 200);
    const t = performance.now();
    await expect(p).rejects.toBeInstanceOf(CancelledFailure);
    expect(performance.now() - t).toBeLessThan(2_000);
  });
});
