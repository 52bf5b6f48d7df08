import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type LoadedDataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { decode } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import type { Lru } from './cache';

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

type RawEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * Every run of the workflow's continue-as-new chain, first run first, closed or open. Walks back
 * from the latest run (`latestRunId` when the caller described it already) through each start
 * event's `continuedExecutionRunId`. Fetched page by page as the SDK's `fetchHistory` does, but
 * the next page (and the run before, once a run's first page names it) is asked for before this
 * one is decoded, so decoding overlaps Temporal's answer instead of following it. A run that
 * continued as new never changes again: with `closedRuns`, those are kept decoded and not
 * fetched again (an open hypercare's trail then fetches only its latest run).
 */
export async function fetchRunChain(
  client: Client,
  workflowId: string,
  latestRunId?: string,
  closedRuns?: Lru<RunHistory>,
): Promise<RunHistory[]> {
  const chain: RunHistory[] = [];
  const runId: string | undefined = latestRunId ?? (await client.workflow.getHandle(workflowId).describe()).runId;
  const before = (previous: string): RunSource => {
    const kept = closedRuns?.get(closedKey(workflowId, previous));
    return kept ? { runId: previous, kept } : { runId: previous, pages: new RunPages(client, workflowId, previous) };
  };
  let next: RunSource | undefined = runId
    ? { runId, pages: new RunPages(client, workflowId, runId), earlier: closedRuns?.get(openKey(workflowId, runId)) }
    : undefined;
  while (next && chain.length < MAX_CHAIN) {
    const source: RunSource = next;
    next = undefined;
    const run =
      source.kept ??
      (await readRun(client.options.loadedDataConverter, source, (previous) => {
        if (chain.length + 1 < MAX_CHAIN) next = before(previous);
      }));
    if (source.kept) {
      const previous = continuedFrom(run);
      if (previous && chain.length + 1 < MAX_CHAIN) next = before(previous);
    } else if (chain.length > 0 && endedByContinuing(run)) closedRuns?.set(closedKey(workflowId, run.runId), run);
    else if (chain.length === 0) closedRuns?.set(openKey(workflowId, run.runId), run);
    chain.unshift(run);
  }
  return chain;
}

/**
 * A run of the chain still to read: from Temporal (`earlier`: the events of it decoded at the
 * last read, while it was the chain's latest), or kept decoded from an earlier read.
 */
type RunSource =
  { runId: string; pages: RunPages; earlier?: RunHistory; kept?: undefined } | { runId: string; kept: RunHistory };

function closedKey(workflowId: string, runId: string): string {
  return `${workflowId}\n${runId}`;
}

/** The latest run as last read, maybe still open: never taken for the whole run, only to decode less of it. */
function openKey(workflowId: string, runId: string): string {
  return `latest\n${workflowId}\n${runId}`;
}

/** One run's events, page by page; `onPrevious` learns the run it continued from as soon as its first page says. */
async function readRun(
  converter: LoadedDataConverter,
  source: { runId: string; pages: RunPages; earlier?: RunHistory },
  onPrevious: (runId: string) => void,
): Promise<RunHistory> {
  const events: DecodedEvent[] = [];
  for (let page = await source.pages.next(); page; page = await source.pages.next()) {
    if (events.length === 0 && page.length > 0) {
      const previous = page[0]!.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (previous) onPrevious(previous);
    }
    // A turn of the event loop first, so the requests just made go out before decoding holds it.
    await new Promise((resolve) => setImmediate(resolve));
    const same = decodedBefore(source.earlier, events.length, page);
    events.push(...same, ...(await decodeEvents(converter, source.runId, page.slice(same.length))));
  }
  return { runId: source.runId, events };
}

/**
 * The page's first events as decoded at the last read of the run: a history only grows, and an
 * event once written stays as it is. Each is checked against the raw event (id, type, time), so a
 * page that differs from what was read (a run reset under the same id is another run id) is
 * decoded again from the first difference.
 */
function decodedBefore(earlier: RunHistory | undefined, offset: number, page: readonly RawEvent[]): DecodedEvent[] {
  const same: DecodedEvent[] = [];
  for (const raw of page) {
    const kept = earlier?.events[offset + same.length];
    if (!kept || kept.eventId !== Number(raw.eventId ?? 0) || kept.type !== eventTypeName(raw.eventType)) break;
    if (kept.at !== eventTimeIso(raw)) break;
    same.push(kept);
  }
  return same;
}

function eventTimeIso(event: RawEvent): string {
  const ms = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}

/** The run this one continued from, as its (decoded) start event names it. */
function continuedFrom(run: RunHistory): string | undefined {
  const previous = run.events[0]?.attributes.continuedExecutionRunId;
  return typeof previous === 'string' && previous !== '' ? previous : undefined;
}

/** Closed for good by continuing as new: the only runs of a chain kept (a reset run is not one of them). */
function endedByContinuing(run: RunHistory): boolean {
  return run.events.at(-1)?.type === 'WorkflowExecutionContinuedAsNew';
}

type HistoryPage = temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse;

/** One run's history, a page at a time; each page asks for the next before it is handed out. */
class RunPages {
  private pending: Promise<HistoryPage> | undefined;

  constructor(
    private readonly client: Client,
    private readonly workflowId: string,
    private readonly runId: string,
  ) {
    this.pending = this.ask();
  }

  /** The next page's events, or undefined after the last page. */
  async next(): Promise<RawEvent[] | undefined> {
    if (!this.pending) return undefined;
    const page = await this.pending;
    const token = page.nextPageToken;
    this.pending = token && token.length > 0 ? this.ask(token) : undefined;
    return page.history?.events ?? [];
  }

  private ask(nextPageToken?: Uint8Array): Promise<HistoryPage> {
    const asked = this.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.client.options.namespace,
      execution: { workflowId: this.workflowId, runId: this.runId },
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    // Asked ahead, it may never be awaited (the walk failed before): not an unhandled rejection.
    asked.catch(() => undefined);
    return asked;
  }
}

const EVENT_TYPE_PREFIX = 'EVENT_TYPE_';

const typeNames = new Map<number, string>();

/** "EVENT_TYPE_ACTIVITY_TASK_COMPLETED" → "ActivityTaskCompleted" (worked out once per type). */
function eventTypeName(code: number | null | undefined): string {
  const known = typeNames.get(code ?? 0);
  if (known !== undefined) return known;
  const raw = temporal.api.enums.v1.EventType[code ?? 0] ?? 'EVENT_TYPE_UNSPECIFIED';
  const name = raw
    .slice(EVENT_TYPE_PREFIX.length)
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s: string, c: string) => c.toUpperCase());
  typeNames.set(code ?? 0, name);
  return name;
}

/** Reads one payload into the value it carries (synchronously: codecs, if any, ran before). */
type ReadPayload = (payload: Payload) => unknown;

/**
 * Decodes a run's events in one synchronous pass: a 20,000-event history decoded field by field
 * with a promise each spent more time in microtasks than in decoding (issue 16). Payload codecs
 * (encryption, compression) are async: with any configured, every payload is found first and
 * run through them in one call, then the same pass reads the results.
 */
async function decodeEvents(
  converter: LoadedDataConverter,
  runId: string,
  events: RawEvent[],
): Promise<DecodedEvent[]> {
  const fromPayload = readerOf(converter);
  const read = (p: Payload, decoded: Payload = p): unknown => {
    try {
      return fromPayload(decoded);
    } catch (err) {
      return undecodable(err);
    }
  };
  if (converter.payloadCodecs.length === 0) return events.map((e) => decodeEvent(read, runId, e));
  const syncCodecs = converter.payloadCodecs.filter(hasDecodeSync);
  if (syncCodecs.length === converter.payloadCodecs.length) {
    // golive's own codec (large payloads compressed) decodes without a promise per payload.
    const readThrough = (p: Payload) =>
      read(
        p,
        syncCodecs.reduceRight((q, codec) => codec.decodeSync(q), p),
      );
    return events.map((e) => decodeEvent(guarded(readThrough), runId, e));
  }
  const found: Payload[] = [];
  for (const e of events) decodeEvent((p) => void found.push(p), runId, e);
  const decoded = new Map<Payload, unknown>();
  await Promise.all(
    found.map(async (p) => {
      try {
        const [d] = await decode(converter.payloadCodecs, [p]);
        decoded.set(p, d ? read(p, d) : undefined);
      } catch (err) {
        decoded.set(p, undecodable(err));
      }
    }),
  );
  return events.map((e) => decodeEvent((p) => decoded.get(p), runId, e));
}

interface SyncDecoding {
  decodeSync(payload: Payload): Payload;
}

function hasDecodeSync(codec: PayloadCodec): codec is PayloadCodec & SyncDecoding {
  return typeof (codec as Partial<SyncDecoding>).decodeSync === 'function';
}

/** A payload a codec cannot decode is shown as undecodable, as the async path shows it. */
function guarded(read: ReadPayload): ReadPayload {
  return (p) => {
    try {
      return read(p);
    } catch (err) {
      return undecodable(err);
    }
  };
}

const JSON_PLAIN = Buffer.from('json/plain');

/**
 * The payload converter's reading, with the default converter's JSON read natively: the SDK
 * decodes UTF-8 in JavaScript (its own TextDecoder), a tenth of a long trail's time. Same
 * values: what the JSON converter wrote is valid UTF-8 (JSON.stringify escapes lone
 * surrogates). Any other encoding, or another converter, goes to the converter itself.
 */
function readerOf(converter: LoadedDataConverter): (p: Payload) => unknown {
  const sdk = (p: Payload) => converter.payloadConverter.fromPayload(p);
  if (converter.payloadConverter !== defaultPayloadConverter) return sdk;
  return (p) => {
    const encoding = p.metadata?.encoding;
    if (!p.data || !encoding || !JSON_PLAIN.equals(encoding)) return sdk(p);
    return JSON.parse(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('utf8')) as unknown;
  };
}

/** Shown, not hidden: an auditor should see that a value could not be read. */
function undecodable(err: unknown): { undecodable: string } {
  return { undecodable: err instanceof Error ? err.message : String(err) };
}

function decodeEvent(read: ReadPayload, runId: string, event: temporal.api.history.v1.IHistoryEvent): DecodedEvent {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes'));
  const raw = key ? (event as Record<string, unknown>)[key] : undefined;
  const attributes = (toPlain(read, raw) ?? {}) as Record<string, unknown>;
  const summaryPayload = event.userMetadata?.summary;
  const summary = summaryPayload ? read(summaryPayload) : undefined;
  return {
    runId,
    eventId: Number(event.eventId ?? 0),
    at: eventTimeIso(event),
    type: eventTypeName(event.eventType),
    attributes,
    ...(typeof summary === 'string' ? { summary } : {}),
  };
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
function toPlain(read: ReadPayload, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (isLong(value)) return value.toNumber();
  if (Array.isArray(value)) return value.map((v) => toPlain(read, v));
  if (isPayload(value)) return read(value);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'payloads' && Array.isArray((value as { payloads: unknown }).payloads)) {
    return (value as { payloads: Payload[] }).payloads.map((p) => read(p));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = toPlain(read, (value as Record<string, unknown>)[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
