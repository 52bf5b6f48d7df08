import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FaultSwitch } from './faults';

/**
 * What the sandbox exports for Prometheus: data-plane requests (rate, errors by status code,
 * a latency histogram) and the fault switch itself, so an analysis that sees the error rate
 * climb can be checked against the switch that caused it. One registry per sandbox instance:
 * tests run several sandboxes in one process.
 */
export class SandboxMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'sandbox_http_requests_total',
    help: 'Data-plane requests of the sandbox AI system, by route, method and status code',
    labelNames: ['route', 'method', 'code'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'sandbox_http_request_duration_seconds',
    help: 'Data-plane request latency of the sandbox AI system',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** `faults`: the switch the fault gauges report (production's), read at each scrape. */
  constructor(current: () => FaultSwitch['current']) {
    new Gauge({
      name: 'sandbox_fault_error_rate',
      help: 'Share of data-plane requests the fault switch fails on purpose',
      registers: [this.registry],
      collect() {
        this.set(current().errorRate);
      },
    });
    new Gauge({
      name: 'sandbox_fault_latency_seconds',
      help: 'Latency the fault switch adds to every data-plane request',
      registers: [this.registry],
      collect() {
        this.set(current().latencyMs / 1000);
      },
    });
    new Gauge({
      name: 'sandbox_fault_crashed',
      help: '1 while the fault switch makes the service answer 503',
      registers: [this.registry],
      collect() {
        this.set(current().crash ? 1 : 0);
      },
    });
  }

  /** Times each data-plane request from arrival to the last byte, faults included. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      // Mounted per data-plane path, so the mount point is the route: a fixed, small label set.
      const route = req.baseUrl || req.path;
      const stop = this.latency.startTimer({ route, method: req.method });
      res.on('finish', () => {
        stop();
        this.requests.inc({ route, method: req.method, code: String(res.statusCode) });
      });
      next();
    };
  }
}
