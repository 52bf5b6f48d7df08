import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import { deliverTestAlert, isLoopbackUrl } from './alerts';
import { Deployments } from './deployments';
import { FaultSwitch, type SecondaryConfig } from './faults';
import { predict } from './model';
import {
  bindingsBody,
  deployBody,
  failoverBody,
  faultsBody,
  predictBody,
  rollbackBody,
  ruleNamesBody,
  rulesBody,
  testAlertBody,
  type Binding,
  type Rule,
} from './schemas';

/**
 * The sandbox production system: a small stand-in for the AI service going live, with the
 * control endpoints a go-live runbook drives (deploy, rollback, access, alerting, faults).
 * All state lives in this app instance.
 */
export interface SandboxOptions {
  initialVersion?: string;
  /** Serves during a failover; `false` means the outage is total. */
  secondary?: SecondaryConfig | false;
}

export function createSandboxApp(opts: SandboxOptions = {}): express.Express {
  const deployments = new Deployments(opts.initialVersion ?? '1.0.0');
  const faults = new FaultSwitch(opts.secondary ?? { latencyMs: 25 });
  const bindings = new Map<string, Binding>();
  const rules = new Map<string, Rule>();

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

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
  app.use(['/health', '/version', '/predict'], faults.middleware());
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

  app.get('/monitoring/rules', (_req, res) => {
    res.json({ rules: [...rules.values()] });
  });
  app.post('/monitoring/rules', (req, res) => {
    const body = parse(rulesBody, req, res);
    if (!body) return;
    for (const r of body.rules) rules.set(r.name, r);
    res.json({ rules: [...rules.values()] });
  });
  app.delete('/monitoring/rules', (req, res) => {
    const body = parse(ruleNamesBody, req, res);
    if (!body) return;
    const removed = body.names.filter((n) => rules.delete(n));
    res.json({ removed, rules: [...rules.values()] });
  });
  app.post('/monitoring/test-alert', async (req, res) => {
    const body = parse(testAlertBody, req, res);
    if (!body) return;
    if (!isLoopbackUrl(body.receiverUrl)) {
      res.status(403).json({ error: 'the sandbox only delivers alerts to loopback receivers' });
      return;
    }
    const outcome = await deliverTestAlert(body.receiverUrl, { rule: body.rule, token: body.token, source: 'golive-sandbox' });
    res.status(outcome.delivered ? 200 : 502).json(outcome);
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

  return app;
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
