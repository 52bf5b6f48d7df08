import fs from 'node:fs';
import { Worker, DefaultLogger, Runtime } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { WORKFLOWS_PATH, WORKFLOW_PRELOAD_MODULES } from '../../src/worker';
import { goliveDataConverter } from '../../src/temporal/largePayloads';

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const history = historyFromJSON(JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')));
  try {
    await Worker.runReplayHistory(
      { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES }, dataConverter: goliveDataConverter },
      history,
      'qa-stuck',
    );
    console.log('REPLAY OK');
  } catch (err) {
    console.log('REPLAY FAILED', String(err).slice(0, 1500));
  }
}
void main();
