import { startTracing } from './tracing';

/**
 * Imported first by main.ts: instrumentation must patch http and express before they load.
 * Without OTEL_* settings this does nothing.
 */
startTracing();
