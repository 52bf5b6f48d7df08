import { ConfigError, parseConfig } from '../config';
import { resolveTemporalCli, TemporalCliUnavailable } from './cliBinary';

/** `npm run temporal:install`: find or build the Temporal CLI now (CI runs it before the tests). */
async function main(): Promise<void> {
  try {
    const config = parseConfig();
    const cli = await resolveTemporalCli({
      explicitPath: config.TEMPORAL_CLI_PATH,
      cacheDir: config.GOLIVE_CACHE_DIR,
      onProgress: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`Temporal CLI: ${cli}\n`);
  } catch (err) {
    const known = err instanceof TemporalCliUnavailable || err instanceof ConfigError;
    process.stderr.write(`golive: ${known ? (err as Error).message : String((err as Error).stack)}\n`);
    process.exit(1);
  }
}

void main();
