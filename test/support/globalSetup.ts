import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { bundleWorkflowCode } from '@temporalio/worker';
import { parseConfig } from '../../src/config';
import { resolveTemporalCli } from '../../src/temporal/cliBinary';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { freePort } from '../../src/temporal/portCheck';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOW_PRELOAD_MODULES, WORKFLOWS_PATH } from '../../src/worker';

/**
 * One real Temporal dev server (in memory, its own port) and one workflow bundle for the whole
 * suite: every workflow test connects to this server with its own task queue.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
    /** Where test workers write Prometheus rule files and test sandboxes' stand-ins read them. */
    rulesDir: string;
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
  // A free port can be taken by someone else before the server binds it (other suites run on
  // this machine too): try a few ports before giving up.
  for (let attempt = 1; ; attempt++) {
    try {
      server = await startDevServer({
        cliPath,
        port: await freePort(),
        uiPort: 0,
        headless: true,
        namespace: 'default',
        logFile: path.join(tmpDir, `temporal-${attempt}.log`),
      });
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      console.warn(`[temporal] dev server did not start (attempt ${attempt}), retrying: ${(err as Error).message}`);
    }
  }
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    logger: quietLogger,
  });
  const bundlePath = path.join(tmpDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundlePath);
  const rulesDir = path.join(tmpDir, 'prometheus-rules');
  fs.mkdirSync(rulesDir);
  project.provide('rulesDir', rulesDir);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
}

const noop = (): void => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
