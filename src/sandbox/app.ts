import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import { Deployments } from './deployments';
import { FaultSwitch, type SecondaryConfig } from './faults';
import { SandboxMetrics } from './metrics';
import { predict } from './model';
import { SampleStore } from './monitoring/samples';
import { alertmanagerStandIn, prometheusStandIn, SANDBOX_JOB, type StandInOptions } from './monitoring/standIn';
import {
  bindingsBody,
  deployBody,
  failoverBody,
  faultsBody,
  predictBody,
  rollbackBody,
  type Binding,
} from './schemas';

/**
 * The sandbox production system: a small stand-in for the AI service going live, with the
 * control endpoints a go-live runbook drives (deploy, rollback, access, faults), its metrics
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
  const deployments = new Deployments(opts.initialVersion ?? '1.0.0');
  const faults = new FaultSwitch(opts.secondary ?? { latencyMs: 25 });
  const metrics = new SandboxMetrics(faults);
  const bindings = new Map<string, Binding>();
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

  // Data plane: what users of the AI system hit; the fault switch applies here only.
  const data = express.Router();
  data.get('/health', (_req, res) => {
    res.json({ status: 'ok', version: deployments.current().version });
  });
  data.get('/version', (_req, res) => {
    res.json(deployments.current());
  });
  data.post('/predict', (req, res) => {
    const body = parse(predictBody, req, res);
    if (!body) return;
    const { version } = deployments.current();
    res.json({ version, ...predict(body.text, version) });
  });
  for (const route of ['/health', '/version', '/predict']) app.use(route, metrics.middleware(), faults.middleware());
  app.use(data);

  app.post('/deploy', (req, res) => {
    const body = parse(deployBody, req, res);
    if (body) answerDeploy(res, deployments.deploy(body.version, body.idempotencyKey, faults.current.rolloutMs));
  });
  app.post('/rollback', (req, res) => {
    const body = parse(rollbackBody, req, res);
    if (body) answerDeploy(res, deployments.rollback(body.idempotencyKey, faults.current.rolloutMs));
  });
  app.get('/deployments', (_req, res) => {
    res.json(deployments.summary());
  });

  app.get('/access/bindings', (_req, res) => {
    res.json({ bindings: [...bindings.values()] });
  });
  app.put('/access/bindings', (req, res) => {
    const body = parse(bindingsBody, req, res);
    if (!body) return;
    for (const b of body.bindings) bindings.set(bindingKey(b), b);
    res.json({ bindings: [...bindings.values()] });
  });
  app.delete('/access/bindings', (req, res) => {
    const body = parse(bindingsBody, req, res);
    if (!body) return;
    const removed = body.bindings.filter((b) => bindings.delete(bindingKey(b)));
    res.json({ removed, bindings: [...bindings.values()] });
  });

  app.get('/faults', (_req, res) => {
    res.json(faults.current);
  });
  app.post('/faults', (req, res) => {
    const body = parse(faultsBody, req, res);
    if (!body) return;
    faults.set(body);
    res.json(faults.current);
  });
  app.delete('/faults', (_req, res) => {
    faults.clear();
    res.json(faults.current);
  });
  app.post('/failover', (req, res) => {
    const body = parse(failoverBody, req, res);
    if (!body) return;
    faults.failover(body.durationMs);
    res.status(202).json(faults.current);
  });

  return {
    app,
    listening: (address) => {
      instance = address;
      samples.start(opts.monitoring?.scrapeIntervalMs ?? 1_000);
    },
    stop: () => samples.stop(),
  };
}

/** Parse at the edge: 400 naming each bad field, or the typed body. */
function parse<S extends z.ZodType>(schema: S, req: Request, res: Response): z.output<S> | undefined {
  const result = schema.safeParse(req.body ?? {});
  if (result.success) return result.data;
  res.status(400).json({
    error: 'invalid body',
    issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message })),
  });
  return undefined;
}

function answerDeploy(res: Response, outcome: ReturnType<Deployments['deploy']>): void {
  if (!outcome.ok) res.status(outcome.status).json({ error: outcome.error });
  else res.status(outcome.replayed ? 200 : 201).json({ replayed: outcome.replayed, ...outcome.event });
}

function bindingKey(b: Binding): string {
  return JSON.stringify([b.subject, b.role, b.resource ?? null]);
}
