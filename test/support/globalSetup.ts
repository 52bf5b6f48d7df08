import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { bundleWorkflowCode } from '@temporalio/worker';
import { parseConfig } from '../../src/config';
import { resolveTemporalCli } from '../../src/temporal/cliBinary';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { freePort } from '../../src/temporal/portCheck';
import { WORKFLOWS_PATH } from '../../src/worker';

/**
 * One real Temporal dev server (in memory, its own port) and one workflow bundle for the whole
 * suite: every workflow test connects to this server with its own task queue.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

let server: DevServer | undefined;
let tmpDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const config = parseConfig();
  const cliPath = await resolveTemporalCli({
    explicitPath: config.TEMPORAL_CLI_PATH,
    cacheDir: config.GOLIVE_CACHE_DIR,
    onProgress: (line) => console.log(`[temporal] ${line}`),
  });
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-test-'));
  const [port] = await Promise.all([freePort()]);
  server = await startDevServer({
    cliPath,
    port: port!,
    uiPort: 0,
    headless: true,
    namespace: 'default',
    logFile: path.join(tmpDir, 'temporal.log'),
  });
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  const bundlePath = path.join(tmpDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundlePath);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
}

const noop = (): void => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
