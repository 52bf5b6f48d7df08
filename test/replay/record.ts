import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, inject, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { resolveTemporalCli } from '../../src/temporal/cliBinary';
import { startTestSandbox } from '../support/sandbox';
import { testClient, testWorker } from '../support/temporal';
import { scenarios } from './scenarios';

/**
 * `npm run record-histories`: runs each scenario on a real dev server and writes its history
 * to test/fixtures/histories. Re-record only on purpose (a new workflow version whose old
 * histories you retire); otherwise the committed histories are the contract replay must keep.
 */
const OUT = path.resolve(__dirname, '../fixtures/histories');

describe('record histories', () => {
  for (const scenario of scenarios) {
    it(scenario.name, { timeout: 180_000 }, async () => {
      const client = await testClient();
      const sandbox = await startTestSandbox();
      const { taskQueue, run } = await testWorker();
      try {
        const handle = await run(() => scenario.run(client, taskQueue, sandbox));
        // The CLI writes the canonical proto JSON that historyFromJSON (and `temporal workflow
        // show` users) read.
        const config = parseConfig();
        const cli = await resolveTemporalCli({
          explicitPath: config.TEMPORAL_CLI_PATH,
          cacheDir: config.GOLIVE_CACHE_DIR,
        });
        const json = execFileSync(
          cli,
          [
            'workflow',
            'show',
            '--address',
            inject('temporalAddress'),
            '--workflow-id',
            handle.workflowId,
            '--output',
            'json',
          ],
          {
            maxBuffer: 64 * 1024 * 1024,
          },
        );
        fs.mkdirSync(OUT, { recursive: true });
        fs.writeFileSync(path.join(OUT, `${scenario.name}.json`), json);
      } finally {
        await sandbox.close();
        await client.connection.close();
      }
    });
  }
});
