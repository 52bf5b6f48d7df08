import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TEMPORAL_CLI_VERSION } from '../config';

/**
 * Finds the `temporal` CLI, building it with Go into a per-user cache when nothing else has it.
 * Order: TEMPORAL_CLI_PATH, `temporal` on PATH, the cached build, else `go install`.
 */

export class TemporalCliUnavailable extends Error {
  override name = 'TemporalCliUnavailable';
}

export interface ResolveCliOptions {
  explicitPath?: string | undefined;
  cacheDir: string;
  /** Called with one line of progress at a time (the first build takes minutes). */
  onProgress?: (line: string) => void;
}

function cachedCliPath(cacheDir: string): string {
  return path.join(cacheDir, 'bin', `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export async function resolveTemporalCli(opts: ResolveCliOptions): Promise<string> {
  if (opts.explicitPath) {
    if (!isExecutable(opts.explicitPath)) {
      throw new TemporalCliUnavailable(`TEMPORAL_CLI_PATH=${opts.explicitPath} is not an executable file`);
    }
    return opts.explicitPath;
  }
  const onPath = findOnPath('temporal');
  if (onPath) return onPath;
  const cached = cachedCliPath(opts.cacheDir);
  if (isExecutable(cached)) return cached;
  await buildWithGo(cached, opts.onProgress ?? (() => undefined));
  return cached;
}

async function buildWithGo(target: string, onProgress: (line: string) => void): Promise<void> {
  const go = findOnPath('go');
  if (!go || spawnSync(go, ['version']).status !== 0) {
    throw new TemporalCliUnavailable(
      'the Temporal CLI was not found and Go is not installed to build it: install Go 1.22+ ' +
        '(e.g. `apt-get install golang`), or put `temporal` on PATH, or set TEMPORAL_CLI_PATH ' +
        '(where the internet is reachable, `brew install temporal` or https://temporal.download also work)',
    );
  }
  const gobin = path.dirname(target);
  fs.mkdirSync(gobin, { recursive: true });
  onProgress(
    `building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${gobin} (first time only; this takes a few minutes)`,
  );
  const started = Date.now();
  const child = spawn(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: gobin, GOFLAGS: process.env.GOFLAGS ?? '-mod=mod' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let downloads = 0;
  const ticker = setInterval(() => {
    const secs = Math.round((Date.now() - started) / 1000);
    onProgress(`  still building the Temporal CLI… ${secs}s (${downloads} modules fetched)`);
  }, 15_000);
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (!line) continue;
      if (line.startsWith('go: downloading')) downloads++;
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(ticker);
  if (code !== 0 || !isExecutable(target)) {
    throw new TemporalCliUnavailable(`building the Temporal CLI failed (go exit ${code}):\n${tail.join('\n')}`);
  }
  onProgress(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)}s: ${target}`);
}
