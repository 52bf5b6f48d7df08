import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { trustedProxyEnvSchema } from '../../src/auth/proxy';
import { configSchema, parseConfig } from '../../src/config';

/**
 * Docker cannot run on this machine, so the deployment artifacts are checked for what can go
 * wrong without it: every setting the Dockerfile and the compose file pass to golive is one that
 * golive reads (a typo would be ignored silently), and each golive service's settings parse.
 */

const ROOT = path.resolve(__dirname, '../..');
const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const compose = parse(fs.readFileSync(path.join(ROOT, 'deploy/compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    { image?: string; build?: unknown; environment?: Record<string, string>; command?: string[]; ports?: string[] }
  >;
};

/** What golive reads besides config.ts: proxy SSO (auth/proxy.ts), the log level (log.ts), Node's own. */
const READ_ELSEWHERE = new Set([...Object.keys(trustedProxyEnvSchema.shape), 'GOLIVE_LOG_LEVEL', 'NODE_ENV']);
const known = (key: string) => key in configSchema.shape || READ_ELSEWHERE.has(key) || key.startsWith('GOLIVE_SECRET_');

function dockerfileEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const block = /^ENV\s+((?:.*\\\n)*.*)$/gm;
  for (const m of dockerfile.matchAll(block)) {
    for (const pair of m[1]!.replace(/\\\n/g, ' ').trim().split(/\s+/)) {
      const [k, v] = pair.split('=');
      if (k && v !== undefined) env[k] = v;
    }
  }
  return env;
}

const goliveServices = Object.entries(compose.services).filter(([, s]) => s.image === 'golive:local');

describe('deployment artifacts', () => {
  it('the Dockerfile is multi-stage on Node 20 slim, runs as a non-root user, ships no Temporal CLI', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS runtime$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).not.toMatch(/temporal:install|installCli|go install|temporal-v/);
  });

  it('passes golive only settings it reads, with values it accepts', () => {
    const fromImage = dockerfileEnv();
    expect(Object.keys(fromImage).filter((k) => !known(k))).toEqual([]);
    expect(goliveServices.map(([name]) => name).sort()).toEqual(['sandbox', 'web-1', 'web-2', 'worker-1', 'worker-2']);
    for (const [name, service] of goliveServices) {
      const env = { ...fromImage, ...(service.environment ?? {}) };
      expect(
        Object.keys(env).filter((k) => !known(k)),
        name,
      ).toEqual([]);
      expect(() => parseConfig(env), name).not.toThrow();
    }
  });

  it('runs two web servers and two workers against one Temporal and one database', () => {
    const withRole = (role: string) => goliveServices.filter(([, s]) => s.environment?.GOLIVE_ROLES === role);
    expect(withRole('web')).toHaveLength(2);
    expect(withRole('worker')).toHaveLength(2);
    const addresses = new Set(
      goliveServices.filter(([n]) => n !== 'sandbox').map(([, s]) => s.environment?.TEMPORAL_ADDRESS),
    );
    expect(addresses).toEqual(new Set(['temporal:7233']));
    expect(new Set(withRole('web').map(([, s]) => s.environment?.GOLIVE_DATABASE_URL)).size).toBe(1);
    expect(compose.services.temporal?.image).toMatch(/^temporalio\//);
    expect(compose.services.postgresql?.image).toMatch(/^postgres:/);
    // The web servers publish the port golive listens on in the image.
    for (const [, web] of withRole('web')) expect(web.ports?.[0]).toMatch(new RegExp(`:${fromImagePort()}$`));
  });
});

function fromImagePort(): string {
  return dockerfileEnv().GOLIVE_PORT ?? '8400';
}
