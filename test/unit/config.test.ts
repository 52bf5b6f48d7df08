import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, prometheusRulesDir, sandboxAlertWebhook } from '../../src/config';
import { durationToMs } from '../../src/contract/duration';
import { OPEN_RUN_BUDGET_MB, stickyCacheSize, WORKER_BASE_MB, workerTuning } from '../../src/worker';
import { durationSchema } from '../../src/contract/schemas/runbook';

describe('parseConfig', () => {
  it('fills defaults for the embedded setup', () => {
    const c = parseConfig({});
    expect(c.GOLIVE_PORT).toBe(8400);
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
    expect(c.GOLIVE_ALLOW_COMMANDS).toBe(false);
  });

  it('names the variable that is wrong', () => {
    expect(() => parseConfig({ GOLIVE_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseConfig({ GOLIVE_PORT: '70000' })).toThrow(/GOLIVE_PORT/);
    expect(() => parseConfig({ GOLIVE_ALLOW_COMMANDS: 'maybe' })).toThrow(/GOLIVE_ALLOW_COMMANDS/);
  });

  it('reads flags and numbers from text', () => {
    const c = parseConfig({ GOLIVE_ALLOW_COMMANDS: 'yes', GOLIVE_TEMPORAL_PORT: '7000' });
    expect(c.GOLIVE_ALLOW_COMMANDS).toBe(true);
    expect(c.GOLIVE_TEMPORAL_PORT).toBe(7000);
  });
});

describe('observability and monitoring settings', () => {
  it('default to the worker metrics on 8401, logs by terminal, rules under the data dir', () => {
    const c = parseConfig({ GOLIVE_DATA_DIR: '/srv/golive' });
    expect(c.GOLIVE_WORKER_METRICS_ADDRESS).toBe('127.0.0.1:8401');
    expect(c.GOLIVE_LOG_FORMAT).toBe('auto');
    expect(c.GOLIVE_LOG_LEVEL).toBe('info');
    expect(prometheusRulesDir(c)).toBe('/srv/golive/prometheus/rules');
    expect(prometheusRulesDir(parseConfig({ GOLIVE_PROMETHEUS_RULES_DIR: '/etc/prometheus/rules.d' }))).toBe(
      '/etc/prometheus/rules.d',
    );
    expect(parseConfig({ GOLIVE_WORKER_METRICS_ADDRESS: 'off' }).GOLIVE_WORKER_METRICS_ADDRESS).toBe('off');
  });

  it('name the variable that is wrong', () => {
    expect(() => parseConfig({ GOLIVE_WORKER_METRICS_ADDRESS: '8401' })).toThrow(
      /GOLIVE_WORKER_METRICS_ADDRESS: must be host:port or off/,
    );
    expect(() => parseConfig({ GOLIVE_LOG_FORMAT: 'xml' })).toThrow(/GOLIVE_LOG_FORMAT/);
    expect(() => parseConfig({ GOLIVE_LOG_LEVEL: 'trace' })).toThrow(/GOLIVE_LOG_LEVEL/);
    expect(() => parseConfig({ GOLIVE_SANDBOX_ALERT_WEBHOOK: 'ftp://x' })).toThrow(/GOLIVE_SANDBOX_ALERT_WEBHOOK/);
    // Tracing's own settings: an exporter or protocol golive does not have is not a silent OTLP default.
    expect(() => parseConfig({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(
      /OTEL_TRACES_EXPORTER: .*"otlp"\|"console"\|"none"/,
    );
    expect(() => parseConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() => parseConfig({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'udp' })).toThrow(
      /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL/,
    );
    expect(parseConfig({ OTEL_TRACES_EXPORTER: 'console', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({
      OTEL_TRACES_EXPORTER: 'console',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
  });

  it("derive the sandbox's alert receiver from its port, so two instances never share one", () => {
    expect(sandboxAlertWebhook(parseConfig({}))).toBe('http://127.0.0.1:8429/alerts');
    expect(sandboxAlertWebhook(parseConfig({ GOLIVE_SANDBOX_PORT: '9410' }))).toBe('http://127.0.0.1:9429/alerts');
    expect(sandboxAlertWebhook(parseConfig({ GOLIVE_SANDBOX_PORT: '65530' }))).toBe('http://127.0.0.1:65511/alerts');
    const set = parseConfig({ GOLIVE_SANDBOX_PORT: '9410', GOLIVE_SANDBOX_ALERT_WEBHOOK: 'http://127.0.0.1:7000/a' });
    expect(sandboxAlertWebhook(set)).toBe('http://127.0.0.1:7000/a');
  });
});

describe('durations', () => {
  it('converts runbook durations to milliseconds', () => {
    expect(durationToMs('500ms')).toBe(500);
    expect(durationToMs('30s')).toBe(30_000);
    expect(durationToMs('1.5h')).toBe(5_400_000);
    expect(durationToMs('14d')).toBe(14 * 86_400_000);
  });

  it('rejects what people might write but golive does not read', () => {
    expect(durationSchema.safeParse('24 hours').success).toBe(false);
    expect(durationSchema.safeParse('0s').success).toBe(false);
    expect(() => durationToMs('soon')).toThrow(RangeError);
  });
});

describe('parseConfig: processes, database, worker tuning', () => {
  it('reads the process roles and refuses one role without a Temporal to share', () => {
    expect(parseConfig({}).GOLIVE_ROLES).toEqual(['web', 'worker']);
    expect(parseConfig({ GOLIVE_ROLES: 'worker, web,worker' }).GOLIVE_ROLES).toEqual(['worker', 'web']);
    expect(parseConfig({ GOLIVE_ROLES: 'web', TEMPORAL_ADDRESS: 'temporal:7233' }).GOLIVE_ROLES).toEqual(['web']);
    expect(() => parseConfig({ GOLIVE_ROLES: 'web' })).toThrow(/GOLIVE_ROLES=web needs TEMPORAL_ADDRESS/);
    expect(() => parseConfig({ GOLIVE_ROLES: 'web,cook', TEMPORAL_ADDRESS: 'x:1' })).toThrow(
      /GOLIVE_ROLES: each role must be web or worker/,
    );
  });

  it('takes a PostgreSQL URL for the database and worker tuning numbers', () => {
    const config = parseConfig({
      GOLIVE_DATABASE_URL: 'postgres://u:p@db:5432/golive',
      GOLIVE_WORKER_MAX_CACHED_WORKFLOWS: '500',
      GOLIVE_SHUTDOWN_GRACE_SECONDS: '30',
    });
    expect(config).toMatchObject({
      GOLIVE_DATABASE_URL: 'postgres://u:p@db:5432/golive',
      GOLIVE_WORKER_MAX_CACHED_WORKFLOWS: 500,
      GOLIVE_SHUTDOWN_GRACE_SECONDS: 30,
    });
    expect(() => parseConfig({ GOLIVE_DATABASE_URL: 'mysql://db/golive' })).toThrow(
      /GOLIVE_DATABASE_URL: must be a postgres:\/\/ URL/,
    );
    expect(() => parseConfig({ GOLIVE_WORKER_MAX_CONCURRENT_ACTIVITIES: '0' })).toThrow(
      /GOLIVE_WORKER_MAX_CONCURRENT_ACTIVITIES/,
    );
  });

  it('sizes the sticky cache from the memory the worker is given, unless the operator names a size', () => {
    const base = parseConfig({});
    expect(
      workerTuning({ ...base, ...parseConfig({ GOLIVE_WORKER_MEMORY_MB: '1024' }) }, 4096).maxCachedWorkflows,
    ).toBe(stickyCacheSize(1024));
    expect(stickyCacheSize(1024)).toBe(Math.floor((1024 - WORKER_BASE_MB) / OPEN_RUN_BUDGET_MB));
    // Unset: the V8 heap limit stands for the memory given; a named size wins over both.
    expect(workerTuning(base, 2048).maxCachedWorkflows).toBe(stickyCacheSize(2048));
    expect(
      workerTuning(parseConfig({ GOLIVE_WORKER_MEMORY_MB: '1024', GOLIVE_WORKER_MAX_CACHED_WORKFLOWS: '7' }), 4096)
        .maxCachedWorkflows,
    ).toBe(7);
    // Too little memory still caches a few runs (the SDK needs at least two).
    expect(stickyCacheSize(300)).toBe(10);
    expect(stickyCacheSize(1024)).toBeGreaterThan(stickyCacheSize(512));
    expect(() => parseConfig({ GOLIVE_WORKER_MEMORY_MB: '64' })).toThrow(/GOLIVE_WORKER_MEMORY_MB/);
  });
});
