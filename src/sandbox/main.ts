import { parseConfig, prometheusRulesDir, sandboxAlertWebhook } from '../config';
import { startSandbox } from './server';

/** `npx tsx src/sandbox/main.ts`: the sandbox on its own, e.g. to point a runbook at by hand. */
async function main(): Promise<void> {
  const config = parseConfig();
  const sandbox = await startSandbox({
    port: config.GOLIVE_SANDBOX_PORT,
    host: config.GOLIVE_HOST,
    monitoring: { rulesDir: prometheusRulesDir(config), alertWebhookUrl: sandboxAlertWebhook(config) },
  });
  console.log(`sandbox production system listening on ${sandbox.url}`);
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
