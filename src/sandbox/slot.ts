import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import { Deployments, type DeployOutcome } from './deployments';
import { FaultSwitch, type SecondaryConfig } from './faults';
import type { SandboxMetrics } from './metrics';
import { predict } from './model';
import { deployBody, failoverBody, faultsBody, predictBody, rollbackBody } from './schemas';

/**
 * One deployment slot of the sandbox AI system: its own version history, fault switch, data plane
 * (health, version, predict) and control plane (deploy, rollback, faults, failover). Production
 * is mounted at the root, the staging slot at `/staging`: a release candidate is deployed, tested
 * and drilled in staging while production keeps serving, and production switches to it only at
 * go-live (app.ts, POST /switch).
 */
export interface Slot {
  name: 'production' | 'staging';
  deployments: Deployments;
  faults: FaultSwitch;
  router: express.Router;
}

export function createSlot(
  name: Slot['name'],
  initialVersion: string,
  secondary: SecondaryConfig | false,
  metrics: SandboxMetrics,
): Slot {
  const deployments = new Deployments(initialVersion);
  const faults = new FaultSwitch(secondary);
  const router = express.Router();

  // Data plane: what users of the AI system hit; the fault switch applies here only.
  const data = express.Router();
  data.get('/health', (_req, res) => {
    res.json({ status: 'ok', version: deployments.current().version, slot: name });
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
  for (const route of ['/health', '/version', '/predict']) router.use(route, metrics.middleware(), faults.middleware());
  router.use(data);

  router.post('/deploy', (req, res) => {
    const body = parse(deployBody, req, res);
    if (body) answerDeploy(res, deployments.deploy(body.version, body.idempotencyKey, faults.current.rolloutMs));
  });
  router.post('/rollback', (req, res) => {
    const body = parse(rollbackBody, req, res);
    if (body) answerDeploy(res, deployments.rollback(body.idempotencyKey, faults.current.rolloutMs));
  });
  router.get('/deployments', (_req, res) => {
    res.json({ slot: name, ...deployments.summary() });
  });

  router.get('/faults', (_req, res) => {
    res.json(faults.current);
  });
  router.post('/faults', (req, res) => {
    const body = parse(faultsBody, req, res);
    if (!body) return;
    faults.set(body);
    res.json(faults.current);
  });
  router.delete('/faults', (_req, res) => {
    faults.clear();
    res.json(faults.current);
  });
  router.post('/failover', (req, res) => {
    const body = parse(failoverBody, req, res);
    if (!body) return;
    faults.failover(body.durationMs);
    res.status(202).json(faults.current);
  });
  return { name, deployments, faults, router };
}

/** Parse at the edge: 400 naming each bad field, or the typed body. */
export function parse<S extends z.ZodType>(schema: S, req: Request, res: Response): z.output<S> | undefined {
  const result = schema.safeParse(req.body ?? {});
  if (result.success) return result.data;
  res.status(400).json({
    error: 'invalid body',
    issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message })),
  });
  return undefined;
}

export function answerDeploy(res: Response, outcome: DeployOutcome): void {
  if (!outcome.ok) res.status(outcome.status).json({ error: outcome.error });
  else res.status(outcome.replayed ? 200 : 201).json({ replayed: outcome.replayed, ...outcome.event });
}
