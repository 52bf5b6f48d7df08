import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../log';
import { resolveTemporalCli } from '../temporal/cliBinary';
import { startDevServer, type DevServer } from '../temporal/devServer';

/**
 * The embedded Temporal of `npm start`: the dev server with its SQLite file in the data folder
 * (runs survive restarts) and its pid recorded there, so a server left behind by a golive that
 * was killed is found and stopped at the next start.
 */
export const DEV_SERVER_PID_FILE = 'temporal-dev-server.pid';

export async function startEmbeddedTemporal(config: Config, log: Logger): Promise<DevServer> {
  const cliPath = await resolveTemporalCli({
    explicitPath: config.TEMPORAL_CLI_PATH,
    cacheDir: config.GOLIVE_CACHE_DIR,
    onProgress: (line) => log.info(line),
  });
  log.info('starting the embedded Temporal dev server…');
  return startDevServer({
    cliPath,
    port: config.GOLIVE_TEMPORAL_PORT,
    uiPort: config.GOLIVE_TEMPORAL_UI_PORT,
    namespace: config.TEMPORAL_NAMESPACE,
    dbFile: path.join(config.GOLIVE_DATA_DIR, 'temporal.sqlite'),
    logFile: path.join(config.GOLIVE_DATA_DIR, 'temporal-server.log'),
    pidFile: path.join(config.GOLIVE_DATA_DIR, DEV_SERVER_PID_FILE),
  });
}
