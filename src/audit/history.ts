import type { Client } from '@temporalio/client';
import type { LoadedDataConverter, Payload } from '@temporalio/common';
import { decode } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';

/**
 * The raw record of a go-live: every Temporal history event of every run in its
 * continue-as-new chain, oldest first, with payloads decoded into plain values. This is the only
 * module here that talks to Temporal; everything downstream is pure and can be fed a fixture.
 */

export interface DecodedEvent {
  runId: string;
  eventId: number;
  /** ISO time the server wrote the event. */
  at: string;
  /** e.g. "WorkflowExecutionStarted", "ActivityTaskCompleted". */
  type: string;
  /** The event's `…EventAttributes`, payloads decoded, 64-bit ints as numbers, bytes as base64. */
  attributes: Record<string, unknown>;
  /** The command's user-metadata summary (the workflow sets it on activities: "<step>: <title>"). */
  summary?: string;
}

export interface RunHistory {
  runId: string;
  events: DecodedEvent[];
}

/** Guards against a corrupt chain pointing at itself. */
const MAX_CHAIN = 10_000;

/**
 * Every run of the workflow's continue-as-new chain, first run first, closed or open. Walks back
 * from the latest run through each start event's `continuedExecutionRunId`.
 */
export async function fetchRunChain(client: Client, workflowId: string): Promise<RunHistory[]> {
  const converter = client.options.loadedDataConverter;
  const latest = await client.workflow.getHandle(workflowId).describe();
  const chain: RunHistory[] = [];
  let runId: string | undefined = latest.runId;
  while (runId && chain.length < MAX_CHAIN) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = await Promise.all((history.events ?? []).map((e) => decodeEvent(converter, runId!, e)));
    chain.unshift({ runId, events });
    const started = events[0]?.attributes as { continuedExecutionRunId?: string } | undefined;
    runId = started?.continuedExecutionRunId || undefined;
  }
  return chain;
}

const EVENT_TYPE_PREFIX = 'EVENT_TYPE_';

/** "EVENT_TYPE_ACTIVITY_TASK_COMPLETED" → "ActivityTaskCompleted". */
export function eventTypeName(code: number | null | undefined): string {
  const raw = temporal.api.enums.v1.EventType[code ?? 0] ?? 'EVENT_TYPE_UNSPECIFIED';
  return raw
    .slice(EVENT_TYPE_PREFIX.length)
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s: string, c: string) => c.toUpperCase());
}

async function decodeEvent(converter: LoadedDataConverter, runId: string, event: temporal.api.history.v1.IHistoryEvent): Promise<DecodedEvent> {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes'));
  const raw = key ? (event as Record<string, unknown>)[key] : undefined;
  const attributes = ((await toPlain(converter, raw)) ?? {}) as Record<string, unknown>;
  const summaryPayload = event.userMetadata?.summary;
  const summary = summaryPayload ? await decodePayload(converter, summaryPayload) : undefined;
  const ms = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
  return {
    runId,
    eventId: Number(event.eventId ?? 0),
    at: new Date(ms).toISOString(),
    type: eventTypeName(event.eventType),
    attributes,
    ...(typeof summary === 'string' ? { summary } : {}),
  };
}

async function decodePayload(converter: LoadedDataConverter, payload: Payload): Promise<unknown> {
  try {
    const [decoded] = await decode(converter.payloadCodecs, [payload]);
    return decoded ? converter.payloadConverter.fromPayload(decoded) : undefined;
  } catch (err) {
    // Shown, not hidden: an auditor should see that a value could not be read.
    return { undecodable: err instanceof Error ? err.message : String(err) };
  }
}

function isPayload(value: object): value is Payload {
  const metadata = (value as { metadata?: unknown }).metadata;
  return typeof metadata === 'object' && metadata !== null && 'encoding' in metadata;
}

function isLong(value: object): value is { toNumber(): number } {
  return 'low' in value && 'high' in value && typeof (value as { toNumber?: unknown }).toNumber === 'function';
}

/**
 * Protobuf messages → plain JSON-able values. Payloads become the values they carry, `Payloads`
 * messages become arrays, so downstream code reads `input[0]` instead of bytes.
 */
async function toPlain(converter: LoadedDataConverter, value: unknown): Promise<unknown> {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (isLong(value)) return value.toNumber();
  if (Array.isArray(value)) return Promise.all(value.map((v) => toPlain(converter, v)));
  if (isPayload(value)) return decodePayload(converter, value);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'payloads' && Array.isArray((value as { payloads: unknown }).payloads)) {
    return Promise.all((value as { payloads: Payload[] }).payloads.map((p) => decodePayload(converter, p)));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = await toPlain(converter, (value as Record<string, unknown>)[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
