/**
 * A few Prometheus counters, kept in memory and rendered in the text exposition format. Enough
 * for request rates and go-live activity; no client library needed for counters alone.
 */
type Labels = Record<string, string>;

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${formatLabels(labels)} ${value}`);
    return lines.join('\n');
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
}

/**
 * Messages the workflow's validators refused (the worker counts them: they leave no trace in
 * Temporal). Process-wide, so the worker and the web server of one process share it.
 */
export const workflowRefusals = new Counter('golive_workflow_refusals_total', 'Messages a run refused before history, by message, refusal type and whether golive signed them');

export class Metrics {
  readonly httpRequests = new Counter('golive_http_requests_total', 'HTTP requests by method, route and status');
  readonly runsStarted = new Counter('golive_runs_started_total', 'Go-live runs started through the server');
  readonly decisions = new Counter('golive_decisions_total', 'Approval decisions accepted, by decision');
  readonly refusals = new Counter('golive_refusals_total', 'Refused attempts, by action and refusal type');
  readonly reports = new Counter('golive_reports_total', 'Red Button reports accepted, by severity');
  readonly workflowRefusals = workflowRefusals;

  render(): string {
    return [this.httpRequests, this.runsStarted, this.decisions, this.refusals, this.reports, this.workflowRefusals].map((c) => c.render()).join('\n') + '\n';
  }
}
