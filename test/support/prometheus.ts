import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { freePort } from '../../src/temporal/portCheck';
import { eventually } from './eventually';

/**
 * A real Prometheus and Alertmanager (Debian's `prometheus` and `prometheus-alertmanager`
 * packages) for a test file: config in a temp dir, loopback ports, short scrape and evaluation
 * intervals, rule files read from `rulesDir` (where the monitoring actions write), and one
 * Alertmanager webhook receiver at `receiverUrl` (where monitoring-verify listens).
 */
export const PROMETHEUS_BIN = process.env.GOLIVE_TEST_PROMETHEUS ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.GOLIVE_TEST_PROMTOOL ?? '/usr/bin/promtool';
export const ALERTMANAGER_BIN = process.env.GOLIVE_TEST_ALERTMANAGER ?? '/usr/bin/prometheus-alertmanager';

export interface MonitoringStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  rulesDir: string;
  receiverUrl: string;
  dir: string;
  /** Instant query through the real API, for assertions. */
  query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

export interface ScrapeJob {
  job: string;
  /** host:port */
  target: string;
  metricsPath?: string;
}

export async function startMonitoringStack(scrape: ScrapeJob[]): Promise<MonitoringStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-prom-'));
  const rulesDir = path.join(dir, 'rules');
  fs.mkdirSync(rulesDir);
  const [promPort, amPort, amClusterPort, receiverPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const receiverUrl = `http://127.0.0.1:${receiverPort}/alerts`;
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), YAML.stringify(alertmanagerConfig(receiverUrl)));
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), YAML.stringify(prometheusConfig(rulesDir, amPort, scrape)));

  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    children.push(
      launch(ALERTMANAGER_BIN, dir, 'alertmanager', [
        `--config.file=${path.join(dir, 'alertmanager.yml')}`,
        `--storage.path=${path.join(dir, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        // No gossip: a lone instance, and no port of the cluster default (9094) taken.
        `--cluster.listen-address=127.0.0.1:${amClusterPort}`,
        '--cluster.peer-timeout=1s',
        '--log.level=warn',
      ]),
      launch(PROMETHEUS_BIN, dir, 'prometheus', [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'prom-data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--web.enable-lifecycle',
        '--log.level=warn',
      ]),
    );
    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
    for (const [name, url] of [
      ['Prometheus', prometheusUrl],
      ['Alertmanager', alertmanagerUrl],
    ] as const) {
      await eventually(
        async () => ((await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
        () =>
          `${name} ready (log: ${fs.readFileSync(path.join(dir, `${name.toLowerCase()}.log`), 'utf8').slice(-500)})`,
        60_000,
      );
    }
    return {
      prometheusUrl,
      alertmanagerUrl,
      rulesDir,
      receiverUrl,
      dir,
      query: async (q) => {
        const res = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: q })}`);
        const body = (await res.json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        return body.data.result;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function prometheusConfig(rulesDir: string, amPort: number, scrape: ScrapeJob[]) {
  return {
    // Short intervals so tests see scrapes and rule evaluations quickly; tests still wait generously.
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [path.join(rulesDir, '*.yml')],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
    scrape_configs: scrape.map((s) => ({
      job_name: s.job,
      metrics_path: s.metricsPath ?? '/metrics',
      static_configs: [{ targets: [s.target] }],
    })),
  };
}

function alertmanagerConfig(receiverUrl: string) {
  return {
    route: {
      receiver: 'golive',
      group_by: ['alertname'],
      group_wait: '0s',
      group_interval: '1s',
      repeat_interval: '1h',
    },
    receivers: [{ name: 'golive', webhook_configs: [{ url: receiverUrl, send_resolved: false }] }],
  };
}

function launch(bin: string, dir: string, name: string, args: string[]): ChildProcess {
  if (!fs.existsSync(bin))
    throw new Error(`${bin} is missing: apt-get install prometheus prometheus-alertmanager (.ci/run does)`);
  const log = fs.openSync(path.join(dir, `${name}.log`), 'a');
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
