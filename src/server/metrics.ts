import type { Client } from '@temporalio/client';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { GO_LIVE_WORKFLOW } from '../contract/definitions';
import { RUN_STATUSES, type RunStatus } from '../contract/runStatus';
import { stateClause } from './endedInTemporal';

/**
 * golive's `/metrics`, through prom-client: the Node.js process's default metrics, HTTP
 * requests (count and latency by route), go-live activity (starts, decisions, refusals, Red
 * Button reports) and a gauge of runs by state read from Temporal's visibility at scrape time
 * (cached briefly, so a tight scrape interval does not become a visibility load). One registry
 * per app: tests build several apps in one process.
 */
/**
 * What the whole process counts, whichever app or worker it runs: messages a run's validator
 * refused (the worker counts them: they leave no trace in Temporal). Every app's /metrics shows it.
 */
const processRegistry = new Registry();
export const workflowRefusals = new Counter({
  name: 'golive_workflow_refusals_total',
  help: 'Messages a run refused before history, by message, refusal type and whether golive signed them',
  labelNames: ['message', 'type', 'signed'] as const,
  registers: [processRegistry],
});

const RUN_COUNT_TTL_MS = 15_000;
const RUN_COUNT_TIMEOUT_MS = 2_000;

/**
 * A process's own metrics: its registry with Node.js's default metrics, served with what the
 * whole process counts (workflowRefusals). A worker-only process serves this alone on
 * GOLIVE_PORT, beside /healthz and /readyz: the refusals its runs' validators counted live in
 * that process and nowhere else (the SDK's metrics endpoint, GOLIVE_WORKER_METRICS_ADDRESS,
 * cannot carry them). A web app's Metrics add its own to it.
 */
export class ProcessMetrics {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return Registry.merge([this.registry, processRegistry]).metrics();
  }
}

/** A web app's `/metrics` (above): the process's own, and what the app counts. */
export class Metrics extends ProcessMetrics {
  readonly httpRequests = new Counter({
    name: 'golive_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'golive_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly runsStarted = new Counter({
    name: 'golive_runs_started_total',
    help: 'Go-live runs started through the server',
    labelNames: ['runbook'] as const,
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'golive_decisions_total',
    help: 'Approval decisions accepted, by decision',
    labelNames: ['decision'] as const,
    registers: [this.registry],
  });
  readonly refusals = new Counter({
    name: 'golive_refusals_total',
    help: 'Refused attempts, by action and refusal type',
    labelNames: ['action', 'type'] as const,
    registers: [this.registry],
  });
  readonly reports = new Counter({
    name: 'golive_reports_total',
    help: 'Red Button reports accepted, by severity',
    labelNames: ['severity'] as const,
    registers: [this.registry],
  });

  constructor(runCounts?: RunCounts) {
    super();
    if (runCounts) {
      new Gauge({
        name: 'golive_runs',
        help: 'Go-live runs known to Temporal, by state (from visibility; refreshed at most every 15 s)',
        labelNames: ['state'] as const,
        registers: [this.registry],
        async collect() {
          const counts = await runCounts.get();
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        },
      });
    }
  }
}

/** Counts of runs per GoLiveState; on a visibility failure the last counts stay. */
export class RunCounts {
  private cached: { at: number; counts: Record<string, number> } | undefined;

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
  ) {}

  async get(): Promise<Record<string, number>> {
    if (this.cached && Date.now() - this.cached.at < RUN_COUNT_TTL_MS) return this.cached.counts;
    try {
      const entries = await Promise.all(RUN_STATUSES.map(async (state) => [state, await this.count(state)] as const));
      this.cached = { at: Date.now(), counts: Object.fromEntries(entries) };
    } catch {
      this.cached = { at: Date.now(), counts: this.cached?.counts ?? {} };
    }
    return this.cached.counts;
  }

  private async count(state: RunStatus): Promise<number> {
    // As the run list counts them: a run ended in Temporal by how it ended, not by its last state.
    const query = `WorkflowType = "${GO_LIVE_WORKFLOW}" AND ${stateClause(state)}`;
    const res = await this.client.withDeadline(Date.now() + RUN_COUNT_TIMEOUT_MS, () =>
      this.client.workflowService.countWorkflowExecutions({ namespace: this.namespace, query }),
    );
    return Number(res.count ?? 0);
  }
}
