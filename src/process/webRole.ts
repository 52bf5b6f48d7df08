import path from 'node:path';
import type { Config } from '../config';
import type { Logger } from '../log';
import { openDatabase, SQLITE_FILE } from '../db/database';
import { importLegacyRefusals } from '../db/importRefusals';
import { startGoLiveWeb } from '../server/goLiveWeb';
import { HoldRelease } from '../server/holdRelease';
import { TemporalAvailability } from '../temporal/availability';
import { availableClient, type TemporalTarget } from '../temporal/connection';

/**
 * The web role: golive's database (migrated), a Temporal client that fails fast while Temporal
 * is away, and the UI + API listening at once — it answers 503 for what needs Temporal until
 * Temporal answers, and never waits for a worker.
 */
export interface WebRole {
  url: string;
  banner: string[];
  databaseWhere: string;
  stop(): Promise<void>;
}

export async function startWebRole(
  config: Config,
  target: TemporalTarget,
  temporalUiUrl: string | undefined,
  log: Logger,
): Promise<WebRole> {
  const database = await openDatabase({
    url: config.GOLIVE_DATABASE_URL,
    sqliteFile: path.join(config.GOLIVE_DATA_DIR, SQLITE_FILE),
    onProgress: (line) => log.info(line),
  });
  const imported = await importLegacyRefusals(config.GOLIVE_DATA_DIR, database);
  if (imported > 0) log.info(`moved ${imported} refused attempts from refusals.jsonl into the database`);
  const availability = new TemporalAvailability(target);
  let seenUp = false;
  // Only changes after Temporal was first reached are news; before that golive is starting.
  availability.onChange((state) => {
    if (state === 'up' && seenUp) log.info('Temporal answers again');
    if (state === 'down' && seenUp)
      log.warn(`Temporal at ${target.address} is unreachable: the API answers 503 until it is back`);
    if (state === 'up') seenUp = true;
  });
  availability.start();
  const client = availableClient(target, availability);
  try {
    const web = await startGoLiveWeb({
      config,
      client,
      database,
      availability,
      namespace: target.namespace,
      ...(temporalUiUrl ? { temporalUiUrl } : {}),
      log,
    });
    const holdRelease = new HoldRelease(client, {
      onError: (err) => log.debug(`target holds not released this time: ${(err as Error).message}`),
    });
    holdRelease.start();
    return {
      url: web.url,
      banner: web.banner,
      databaseWhere: database.where,
      stop: async () => {
        await holdRelease.stop();
        await web
          .close(config.GOLIVE_SHUTDOWN_GRACE_SECONDS * 1000)
          .catch((e: Error) => log.warn(`web server: ${e.message}`));
        await availability.stop();
        await client.connection.close().catch(() => undefined);
        await database.close().catch(() => undefined);
      },
    };
  } catch (err) {
    await availability.stop();
    await client.connection.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
}
