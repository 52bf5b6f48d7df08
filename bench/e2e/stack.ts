import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ensureDemoUsers } from '../../src/auth/demoUsers';
import { parseConfig } from '../../src/config';
import { Keyring } from '../../src/signing/keyring';
import { resolveTemporalCli } from '../../src/temporal/cliBinary';
import { startDevServer, type DevServer } from '../../src/temporal/devServer';
import { freePort } from '../../src/temporal/portCheck';
import { goliveDataConverter, LARGE_MESSAGE_CHANNEL_ARGS } from '../../src/temporal/largePayloads';

/**
 * Everything the end-to-end benchmark runs against, each in its own process as in production:
 * a Temporal dev server (in memory), the sandbox production system, golive's web and worker
 * roles (the real entry point, `src/main.ts`, with GOLIVE_ROLES), and the bare worker. Each
 * loads bench/e2e/probe.mjs: the workers report their memory through it, and every child stops
 * when the benchmark dies. Their output goes to files in
 * a temp folder (named when something fails), not through this process.
 */

const REPO = path.resolve(__dirname, '../..');
const MAIN = path.join(REPO, 'src/main.ts');

export interface Memory {
  rss: number;
  /** Every thread's JavaScript heap (the SDK runs workflows on a thread of its own). */
  heapUsed: number;
  external: number;
  /** Threads that answered the probe besides the main one. */
  threads: number;
}

export interface Child {
  name: string;
  child: ChildProcess;
  log: string;
  /** RSS and heap after two full GCs (the probe), for the worker processes. */
  memory(): Promise<Memory>;
  stop(): Promise<void>;
}

export interface Stack {
  dir: string;
  temporal: DevServer;
  client: Client;
  sandboxUrl: string;
  webUrl: string;
  /** Demo people → API token. */
  tokens: Record<string, string>;
  /** The web's signing keys (shared folder): what client-driven golive runs are signed with. */
  keyring: Keyring;
  goliveQueue: string;
  bareQueue: string;
  goliveWorker: Child;
  bareWorker: Child;
  /** Every process of the stack and the benchmark's own, for CPU accounting (cpuShare.ts). */
  processes: { name: string; pid: number }[];
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Sticky cache size of both workers (the memory measure keeps every open run cached). */
  maxCachedWorkflows: number;
  log: (line: string) => void;
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-3000);
  } catch {
    return '';
  }
}

function spawnChild(name: string, dir: string, args: string[], env: Record<string, string>): Child {
  const log = path.join(dir, `${name}.log`);
  const fd = fs.openSync(log, 'a');
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  fs.closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    log,
    memory: () =>
      new Promise<Memory>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not report its memory`)), 30_000);
        const onMessage = (m: { probe?: string } & Memory) => {
          if (m?.probe !== 'memory') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, threads: m.threads });
        };
        child.on('message', onMessage);
        child.send({ probe: 'memory' });
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

async function waitFor(what: Child, url: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (what.child.exitCode !== null)
      throw new Error(`${what.name} exited (${what.child.exitCode}); its log:\n${tail(what.log)}`);
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (res?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${what.name} was not ready at ${url}; its log:\n${tail(what.log)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function waitMessage(what: Child, key: string, timeoutMs = 180_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what.name} did not say ${key}; its log:\n${tail(what.log)}`)),
      timeoutMs,
    );
    what.child.on('message', (m: Record<string, unknown>) => {
      if (m?.[key]) {
        clearTimeout(timer);
        resolve();
      }
    });
    what.child.once('exit', (code) => reject(new Error(`${what.name} exited (${code}); its log:\n${tail(what.log)}`)));
  });
}

const PROBE = ['--expose-gc', '--import', 'tsx', '--import', path.join(__dirname, 'probe.mjs')];

/** E2E_CPU_PROF=<folder>: golive's web and worker, and the bare worker, write V8 CPU profiles there (every thread) when they stop. */
function profiled(args: string[]): string[] {
  const dir = process.env.E2E_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`, ...args] : args;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golive-bench-e2e-'));
  const config = parseConfig();
  const cliPath = await resolveTemporalCli({
    explicitPath: config.TEMPORAL_CLI_PATH,
    cacheDir: config.GOLIVE_CACHE_DIR,
    onProgress: opts.log,
  });
  const temporal = await startDevServer({
    cliPath,
    port: await freePort(),
    uiPort: 0,
    headless: true,
    namespace: 'default',
    logFile: path.join(dir, 'temporal.log'),
  });
  const children: Child[] = [];
  try {
    // golive's codec (large payloads compressed) to read golive's results; the raw history fetch,
    // the trail's baseline, decodes no payload either way.
    const client = new Client({
      connection: await Connection.connect({ address: temporal.address, channelArgs: LARGE_MESSAGE_CHANNEL_ARGS }),
      dataConverter: goliveDataConverter,
    });
    const usersFile = path.join(dir, 'users', 'users.json');
    const demo = await ensureDemoUsers(path.dirname(usersFile), usersFile);
    const tokens = Object.fromEntries(demo.created!.map((c) => [c.id, c.token]));
    const runbooksDir = path.join(dir, 'runbooks');
    fs.cpSync(path.join(__dirname, 'runbooks'), runbooksDir, { recursive: true });
    const keysDir = path.join(dir, 'signing-keys');
    const [sandboxPort, webPort, workerPort, metricsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const common = {
      TEMPORAL_ADDRESS: temporal.address,
      GOLIVE_TASK_QUEUE: 'golive-bench',
      GOLIVE_SANDBOX: 'false',
      GOLIVE_OUTBOUND_ALLOW: `127.0.0.1:${sandboxPort}`,
      GOLIVE_CACHE_DIR: config.GOLIVE_CACHE_DIR,
      GOLIVE_LOG_FORMAT: 'json',
      GOLIVE_SHUTDOWN_GRACE_SECONDS: '2',
    };
    const sandbox = spawnChild('sandbox', dir, [...PROBE, path.join(REPO, 'src/sandbox/main.ts')], {
      GOLIVE_SANDBOX_PORT: String(sandboxPort),
      GOLIVE_DATA_DIR: path.join(dir, 'sandbox'),
    });
    children.push(sandbox);
    const web = spawnChild('golive-web', dir, profiled([...PROBE, MAIN]), {
      ...common,
      GOLIVE_ROLES: 'web',
      GOLIVE_PORT: String(webPort),
      GOLIVE_DATA_DIR: path.join(dir, 'web'),
      GOLIVE_USERS_FILE: usersFile,
      GOLIVE_RUNBOOKS_DIR: runbooksDir,
      GOLIVE_SIGNING_KEYS_DIR: keysDir,
    });
    children.push(web);
    const goliveWorker = spawnChild('golive-worker', dir, profiled([...PROBE, MAIN]), {
      ...common,
      GOLIVE_ROLES: 'worker',
      GOLIVE_PORT: String(workerPort),
      GOLIVE_DATA_DIR: path.join(dir, 'worker'),
      GOLIVE_WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      GOLIVE_WORKER_MAX_CACHED_WORKFLOWS: String(opts.maxCachedWorkflows),
    });
    children.push(goliveWorker);
    const bareWorker = spawnChild('bare-worker', dir, profiled([...PROBE, path.join(__dirname, 'bare/worker.ts')]), {
      BENCH_TEMPORAL_ADDRESS: temporal.address,
      BENCH_TASK_QUEUE: 'bare-bench',
      BENCH_MAX_CACHED_WORKFLOWS: String(opts.maxCachedWorkflows),
    });
    children.push(bareWorker);
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const webUrl = `http://127.0.0.1:${webPort}`;
    await Promise.all([
      waitFor(sandbox, `${sandboxUrl}/health`),
      waitFor(web, `${webUrl}/readyz`),
      waitFor(goliveWorker, `http://127.0.0.1:${workerPort}/readyz`),
      waitMessage(bareWorker, 'ready'),
    ]);
    opts.log(`stack up in ${dir}: Temporal ${temporal.address}, sandbox ${sandboxUrl}, golive web ${webUrl}`);
    return {
      dir,
      temporal,
      client,
      sandboxUrl,
      webUrl,
      tokens,
      keyring: Keyring.loadOrCreate(keysDir),
      processes: [
        { name: 'temporal', pid: temporal.child.pid ?? 0 },
        ...children.map((c) => ({ name: c.name, pid: c.child.pid ?? 0 })),
        { name: 'bench', pid: process.pid },
      ],
      goliveQueue: common.GOLIVE_TASK_QUEUE,
      bareQueue: 'bare-bench',
      goliveWorker,
      bareWorker,
      stop: async () => {
        await Promise.all(children.map((c) => c.stop()));
        await client.connection.close();
        await temporal.stop();
      },
    };
  } catch (err) {
    await Promise.all(children.map((c) => c.stop()));
    await temporal.stop();
    throw err;
  }
}
