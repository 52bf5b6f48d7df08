import express from 'express';
import type { SecondaryConfig } from './faults';
import { SandboxMetrics } from './metrics';
import { SampleStore } from './monitoring/samples';
import { alertmanagerStandIn, prometheusStandIn, SANDBOX_JOB, type StandInOptions } from './monitoring/standIn';
import { bindingsBody, deployBody, type Binding } from './schemas';
import { answerDeploy, createSlot, parse } from './slot';

/**
 * The sandbox production system: a small stand-in for the AI service going live, with the
 * control endpoints a go-live runbook drives (deploy, rollback, access, faults), two deployment
 * slots (production at the root, staging under `/staging`) and the blue-green switch between
 * them (`POST /switch`), its metrics
 * for Prometheus (`/metrics`) and a stand-in of the Prometheus and Alertmanager APIs
 * (`/prometheus`, `/alertmanager`) for machines without them. All state lives in this app.
 */
export interface SandboxOptions {
  initialVersion?: string;
  /** Serves during a failover; `false` means the outage is total. */
  secondary?: SecondaryConfig | false;
  monitoring?: StandInOptions & { scrapeIntervalMs?: number };
}

export interface SandboxApp {
  app: express.Express;
  /** Tells the stand-in its own address (known once listening) for the `instance` label. */
  listening(instance: string): void;
  stop(): void;
}

export function createSandboxApp(opts: SandboxOptions = {}): SandboxApp {
  const initial = opts.initialVersion ?? '1.0.0';
  const secondary = opts.secondary ?? { latencyMs: 25 };
  // One metrics registry: the staging slot's routes are labelled /staging/…, so queries tell them
  // apart; the fault gauges report production's switch.
  const metrics: SandboxMetrics = new SandboxMetrics(() => production.faults.current);
  const production = createSlot('production', initial, secondary, metrics);
  const staging = createSlot('staging', initial, secondary, metrics);
  let instance = 'sandbox';
  const samples = new SampleStore(metrics.registry, () => ({ job: SANDBOX_JOB, instance }));

  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use('/prometheus', prometheusStandIn(opts.monitoring ?? {}, samples));
  app.use(express.json({ limit: '1mb' }));
  app.use('/alertmanager', alertmanagerStandIn(opts.monitoring ?? {}));
  app.use('/staging', staging.router);

  // The go-live: production takes the version staged in the staging slot, which takes
  // production's old one; switching back to it is the same call (blue-green).
  app.post('/switch', (req, res) => {
    const body = parse(deployBody, req, res);
    if (!body) return;
    const from = production.deployments.current().version;
    if (body.version !== from && staging.deployments.current().version !== body.version) {
      const staged = staging.deployments.current();
      res.status(409).json({
        error: `version ${body.version} is not staged: the staging slot serves ${staged.version}${staged.target ? ` (rolling out ${staged.target})` : ''}; deploy it to /staging/deploy first`,
      });
      return;
    }
    const outcome = production.deployments.switchTo(
      body.version,
      body.idempotencyKey,
      production.faults.current.rolloutMs,
    );
    if (outcome.ok && !outcome.replayed && from !== body.version) staging.deployments.replace(from);
    answerDeploy(res, outcome);
  });

  app.use('/access/bindings', accessBindingsRouter());
  app.use(production.router);
  app.use(bodyErrors);

  return {
    app,
    listening: (address) => {
      instance = address;
      samples.start(opts.monitoring?.scrapeIntervalMs ?? 1_000);
    },
    stop: () => samples.stop(),
  };
}

/**
 * A body express.json cannot read is the caller's mistake: answered in the sandbox's JSON error
 * shape, not express's default HTML page with the parser's stack trace.
 */
function bodyErrors(err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction): void {
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.parse.failed') res.status(400).json({ error: 'the body is not valid JSON' });
  else if (type === 'entity.too.large') res.status(413).json({ error: 'the body is over 1mb' });
  else next(err);
}

/** The access bindings the runbook grants and revokes (`enable-access` and its undo). */
function accessBindingsRouter(): express.Router {
  const bindings = new Map<string, Binding>();
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.json({ bindings: [...bindings.values()] });
  });
  router.put('/', (req, res) => {
    const body = parse(bindingsBody, req, res);
    if (!body) return;
    for (const b of body.bindings) bindings.set(bindingKey(b), b);
    res.json({ bindings: [...bindings.values()] });
  });
  router.delete('/', (req, res) => {
    const body = parse(bindingsBody, req, res);
    if (!body) return;
    const removed = body.bindings.filter((b) => bindings.delete(bindingKey(b)));
    res.json({ removed, bindings: [...bindings.values()] });
  });
  return router;
}

function bindingKey(b: Binding): string {
  return JSON.stringify([b.subject, b.role, b.resource ?? null]);
}
