import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import YAML from 'yaml';
import { z } from 'zod';
import { evaluate, UnsupportedQuery, type Value } from './promql';
import type { SampleStore } from './samples';

/**
 * The sandbox's monitoring stand-in: the parts of the Prometheus and Alertmanager HTTP APIs the
 * monitoring actions use, so `npm start` goes live on a machine without Prometheus. It reads
 * the same rule files a real Prometheus would (on POST /-/reload), lists them and its one
 * target (the sandbox), answers queries in a PromQL subset over the sandbox's own metrics, and
 * passes alerts posted to the Alertmanager API on to its webhook receiver. It does not
 * evaluate alert rules: that, and every other query, is what a real Prometheus is for.
 */
export interface StandInOptions {
  /** Where monitoring-activate writes rule files (`*.yml`), as Prometheus's `rule_files` glob. */
  rulesDir?: string;
  /** The Alertmanager stand-in's one webhook receiver (monitoring-verify listens there). */
  alertWebhookUrl?: string;
}

export const SANDBOX_JOB = 'sandbox';

const ruleFile = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(
        z.object({
          alert: z.string().optional(),
          record: z.string().optional(),
          expr: z.string(),
          for: z.string().optional(),
          labels: z.record(z.string(), z.string()).optional(),
          annotations: z.record(z.string(), z.string()).optional(),
        }),
      ),
    }),
  ),
});
type RuleGroup = z.infer<typeof ruleFile>['groups'][number] & { file: string };

export function prometheusStandIn(opts: StandInOptions, samples: SampleStore): Router {
  let groups: RuleGroup[] = [];
  const router = express.Router();
  router.get(['/-/ready', '/-/healthy'], (_req, res) => void res.send('Prometheus stand-in is Ready.\n'));
  router.post('/-/reload', (_req, res) => {
    try {
      groups = loadRuleGroups(opts.rulesDir);
      res.send('');
    } catch (error) {
      // Like Prometheus: a bad file fails the reload and the rules loaded before stay.
      res.status(500).send(`failed to reload config: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  });
  router.get('/api/v1/rules', (_req, res) => {
    res.json({
      status: 'success',
      data: {
        groups: groups.map((g) => ({
          name: g.name,
          file: g.file,
          rules: g.rules.map((r) => ruleView(r)),
          interval: 60,
        })),
      },
    });
  });
  router.get(
    '/api/v1/targets',
    (req, res) => void res.json(targetsView(samples, req.get('host') ?? 'sandbox', req.protocol)),
  );
  router.all('/api/v1/query', express.urlencoded({ extended: false }), (req, res) => {
    const q = { ...(req.query as Record<string, unknown>), ...((req.body ?? {}) as Record<string, unknown>) };
    const at = q.time === undefined ? Date.now() / 1000 : evaluationTime(q.time);
    // Each parameter's own problem: a bad `time` once answered "a PromQL expression is required".
    const refuse = (error: string) => void res.status(400).json({ status: 'error', errorType: 'bad_data', error });
    if (typeof q.query !== 'string') return refuse('query: a PromQL expression is required (one)');
    if (at === undefined)
      return refuse(`time: must be a Unix timestamp in seconds or an RFC 3339 time, not ${JSON.stringify(q.time)}`);
    try {
      res.json({ status: 'success', data: asApiResult(evaluate(q.query, samples.all(), at), at) });
    } catch (error) {
      const message =
        error instanceof UnsupportedQuery
          ? `${error.message} (the sandbox's stand-in answers a PromQL subset; point prometheusUrl at a real Prometheus for more)`
          : String(error);
      res.status(400).json({ status: 'error', errorType: 'bad_data', error: message });
    }
  });
  return router;
}

const UNIX_SECONDS = /^\d+(\.\d+)?$/;
const RFC_3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Prometheus's `time`: Unix seconds (fractions allowed) or RFC 3339, as the real API takes it. */
function evaluationTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const seconds = UNIX_SECONDS.test(value) ? Number(value) : RFC_3339.test(value) ? Date.parse(value) / 1000 : NaN;
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** The one scrape target the stand-in has: the sandbox itself, as Prometheus's targets API shows it. */
function targetsView(samples: SampleStore, instance: string, protocol: string) {
  const scrape = samples.lastScrape;
  return {
    status: 'success',
    data: {
      activeTargets: [
        {
          labels: { job: SANDBOX_JOB, instance },
          scrapePool: SANDBOX_JOB,
          scrapeUrl: `${protocol}://${instance}/metrics`,
          health: scrape && !scrape.error ? 'up' : 'unknown',
          lastError: scrape?.error ?? '',
          lastScrape: scrape ? new Date(scrape.at * 1000).toISOString() : '0001-01-01T00:00:00Z',
          lastScrapeDuration: scrape?.durationSeconds ?? 0,
        },
      ],
      droppedTargets: [],
    },
  };
}

function loadRuleGroups(dir: string | undefined): RuleGroup[] {
  if (!dir || !fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) => {
      const file = path.join(dir, f);
      const parsed = ruleFile.safeParse(YAML.parse(fs.readFileSync(file, 'utf8')));
      if (!parsed.success) throw new Error(`${file}: not a Prometheus rule file (${parsed.error.issues[0]?.message})`);
      return parsed.data.groups.map((g) => ({ ...g, file }));
    });
}

function ruleView(r: RuleGroup['rules'][number]) {
  return r.alert
    ? {
        type: 'alerting',
        name: r.alert,
        query: r.expr,
        duration: 0,
        labels: r.labels ?? {},
        annotations: r.annotations ?? {},
        alerts: [],
        health: 'unknown',
        state: 'inactive',
      }
    : { type: 'recording', name: r.record ?? '', query: r.expr, labels: r.labels ?? {}, health: 'unknown' };
}

/** Prometheus's JSON: values as [unix seconds, "string"], so NaN and ±Inf survive. */
function asApiResult(v: Value, at: number) {
  const num = (x: number) => (Number.isNaN(x) ? 'NaN' : x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : String(x));
  switch (v.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [at, num(v.value)] };
    case 'vector':
      return { resultType: 'vector', result: v.samples.map((s) => ({ metric: s.labels, value: [at, num(s.value)] })) };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: v.series.map((s) => ({ metric: s.labels, values: s.points.map(([t, x]) => [t, num(x)]) })),
      };
  }
}

const postedAlerts = z.array(
  z.object({
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).default({}),
    startsAt: z.string().optional(),
    endsAt: z.string().optional(),
    generatorURL: z.string().optional(),
  }),
);

/** POST /api/v2/alerts: forwarded at once to the webhook receiver in Alertmanager's format. */
export function alertmanagerStandIn(opts: StandInOptions): Router {
  const router = express.Router();
  router.get(['/-/ready', '/-/healthy'], (_req, res) => void res.send('OK'));
  router.get(
    '/api/v2/status',
    (_req, res) =>
      void res.json({ cluster: { status: 'disabled' }, versionInfo: { version: 'golive-sandbox-stand-in' } }),
  );
  router.post('/api/v2/alerts', async (req, res) => {
    const parsed = postedAlerts.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        code: 400,
        message: `invalid alerts: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      });
      return;
    }
    res.status(200).end();
    if (opts.alertWebhookUrl) await forward(opts.alertWebhookUrl, parsed.data);
  });
  return router;
}

async function forward(url: string, alerts: z.infer<typeof postedAlerts>): Promise<void> {
  const now = new Date().toISOString();
  const payload = {
    version: '4',
    groupKey: '{}:{}',
    status: 'firing',
    receiver: 'golive',
    groupLabels: {},
    commonLabels: alerts.length === 1 ? alerts[0]!.labels : {},
    commonAnnotations: {},
    externalURL: 'http://sandbox/alertmanager',
    alerts: alerts.map((a) => ({
      status: 'firing',
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt ?? now,
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: a.generatorURL ?? '',
    })),
  };
  // Best effort, like Alertmanager's own retries: nobody listening is what verify detects.
  await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(5_000),
  })
    .then((r) => r.arrayBuffer())
    .catch(() => undefined);
}
