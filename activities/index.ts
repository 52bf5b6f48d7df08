import type { CatalogActivities } from '../src/contract/schemas/catalog';
import type { ActivityDeps } from './deps';
import { accessApply } from './accessApply';
import { accessRevoke } from './accessRevoke';
import { accessVerify } from './accessVerify';
import { command } from './command';
import { deploy } from './deploy';
import { failoverTest } from './failoverTest';
import { httpCheck } from './httpCheck';
import { loadTest } from './loadTest';
import { metricsCheck } from './metricsCheck';
import { monitoringActivate } from './monitoringActivate';
import { monitoringDeactivate } from './monitoringDeactivate';
import { monitoringVerify } from './monitoringVerify';
import { notify } from './notify';
import { rollbackDrill } from './rollbackDrill';
import { stressTest } from './stressTest';
import { targetSnapshot } from './targetSnapshot';
import { tcpCheck } from './tcpCheck';
import { webhook } from './webhook';
import { knownSecrets, withRedaction } from './redaction';

export type { ActivityDeps } from './deps';

/**
 * The worker registers this object. Its return type is derived from the catalog, so a missing,
 * extra or misnamed activity (or a result type drifting from its schema) fails to compile.
 * Every activity is wrapped so its result and error are redacted of known secrets.
 */
export function createActivities(deps: ActivityDeps): CatalogActivities {
  const secrets = () => knownSecrets(deps);
  const all: CatalogActivities = {
    httpCheck: httpCheck(deps),
    tcpCheck: tcpCheck(deps),
    accessApply: accessApply(deps),
    accessVerify: accessVerify(deps),
    accessRevoke: accessRevoke(deps),
    loadTest: loadTest(deps),
    stressTest: stressTest(deps),
    failoverTest: failoverTest(deps),
    deploy: deploy(deps),
    webhook: webhook(deps),
    command: command(deps),
    rollbackDrill: rollbackDrill(deps),
    monitoringActivate: monitoringActivate(deps),
    monitoringVerify: monitoringVerify(deps),
    monitoringDeactivate: monitoringDeactivate(deps),
    metricsCheck: metricsCheck(deps),
    targetSnapshot: targetSnapshot(deps),
    notify: notify(deps),
  };
  // Results and errors become history, state, trail and dossier: no secret gets that far.
  return Object.fromEntries(
    Object.entries(all).map(([name, fn]) => [name, withRedaction(fn as (p: unknown) => Promise<unknown>, secrets)]),
  ) as CatalogActivities;
}
