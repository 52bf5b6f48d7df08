import type { ServerContext } from './deps';

/**
 * What /readyz reports: Temporal (the availability probe's verdict, or a direct call when there
 * is no probe) and golive's database, each within a second.
 */

const CHECK_TIMEOUT_MS = 1000;

type Check = 'ok' | 'unreachable';

async function within(p: Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Check>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), CHECK_TIMEOUT_MS).unref();
  });
  return Promise.race([
    p.then(
      () => 'ok' as const,
      () => 'unreachable' as const,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}

async function temporalCheck(ctx: ServerContext): Promise<Check> {
  const availability = ctx.deps.availability;
  if (availability && availability.state !== 'unknown') return availability.state === 'up' ? 'ok' : 'unreachable';
  return within(ctx.deps.client.workflowService.getSystemInfo({}));
}

export async function readiness(
  ctx: ServerContext,
): Promise<{ ready: boolean; body: { status: 'ready' | 'unavailable'; temporal: Check; database: Check } }> {
  const [temporal, database] = await Promise.all([
    temporalCheck(ctx),
    within(ctx.deps.database.ping(CHECK_TIMEOUT_MS)),
  ]);
  const ready = temporal === 'ok' && database === 'ok';
  return { ready, body: { status: ready ? 'ready' : 'unavailable', temporal, database } };
}
