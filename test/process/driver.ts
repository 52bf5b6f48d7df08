import { randomUUID } from 'node:crypto';
import { type RunStateView, type StepView } from '../../src/contract/definitions';
import { FINAL_STATUSES } from '../../src/contract/runStatus';
import { validEvidence } from '../support/autopilot';

/**
 * Plays the people of default-runbook runs through the HTTP API of several web servers, in turn:
 * every decision and evidence item carries an Idempotency-Key, and when a server does not answer
 * (it died, or said 503) the same request goes to another server with the same key, as a careful
 * client does. Everything sent is recorded, so a test can check each answered message against
 * the run and ask again for any of them.
 */

export interface Web {
  name: string;
  url: string;
  alive: boolean;
}

export interface Sent {
  runId: string;
  path: string;
  person: string;
  body: Record<string, unknown>;
  key: string;
  status: number;
  answer: unknown;
  /** Servers tried, in order; more than one means the first answer was lost. */
  servers: string[];
}

export interface DriverHooks {
  /** Called as a message leaves for a server; may kill that server to lose the answer. */
  sending?(web: Web, sent: Omit<Sent, 'status' | 'answer'>): void;
}

type Json = { status: number; body: unknown };

export class Driver {
  readonly sent: Sent[] = [];
  private turn = 0;

  constructor(
    private readonly webs: Web[],
    private readonly tokens: Record<string, string>,
    private readonly hooks: DriverHooks = {},
  ) {}

  private nextWeb(): Web {
    const alive = this.webs.filter((w) => w.alive);
    if (alive.length === 0) throw new Error('no web server is alive');
    return alive[this.turn++ % alive.length]!;
  }

  private async request(
    web: Web,
    method: string,
    path: string,
    person: string,
    body?: unknown,
    key?: string,
  ): Promise<Json> {
    const res = await fetch(web.url + path, {
      method,
      headers: {
        authorization: `Bearer ${this.tokens[person]}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** One request, moved to another server (same key) while answers are lost or 503. */
  async call(
    method: string,
    path: string,
    person: string,
    body?: Record<string, unknown>,
    key?: string,
  ): Promise<Json & { servers: string[] }> {
    const servers: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const web = this.nextWeb();
      servers.push(web.name);
      if (key && body) this.hooks.sending?.(web, { runId: path.split('/')[3]!, path, person, body, key, servers });
      const res = await this.request(web, method, path, person, body, key).catch((err: Error) => err);
      if (!(res instanceof Error) && res.status !== 503) return { ...res, servers };
      if (attempt >= 20)
        throw new Error(
          `${method} ${path}: no answer after ${attempt} tries (${res instanceof Error ? res.message : res.status})`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async state(runId: string): Promise<RunStateView> {
    const res = await this.call('GET', `/api/runs/${runId}`, 'rm');
    if (res.status !== 200) throw new Error(`GET run ${runId}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as RunStateView;
  }

  async send(runId: string, path: string, person: string, body: Record<string, unknown>): Promise<Sent> {
    const key = randomUUID();
    const res = await this.call('POST', `/api/runs/${runId}${path}`, person, body, key);
    const sent: Sent = {
      runId,
      path: `/api/runs/${runId}${path}`,
      person,
      body,
      key,
      status: res.status,
      answer: res.body,
      servers: res.servers,
    };
    this.sent.push(sent);
    return sent;
  }

  /** The messages a waiting step still needs, from the people the run names. */
  private async act(runId: string, state: RunStateView, step: StepView): Promise<void> {
    if (step.kind === 'evidence') {
      const done = new Set(state.evidence.filter((e) => e.stepId === step.id).map((e) => e.itemId));
      for (const item of step.items ?? []) {
        if (done.has(item.id)) continue;
        const role = item.submittedBy.find((r) => (state.assignments[r] ?? []).length > 0);
        const person = role ? state.assignments[role]![0]! : undefined;
        if (!role || !person) continue;
        await this.send(runId, `/steps/${step.id}/evidence`, person, {
          itemId: item.id,
          role,
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          value: validEvidence(item as any),
        });
      }
    } else if (step.kind === 'approval') {
      const who = (step.mayDecide ?? []).find((m) => m.people.some((p) => p !== state.initiator.id));
      const person = who?.people.find((p) => p !== state.initiator.id);
      if (who && person)
        await this.send(runId, `/steps/${step.id}/decisions`, person, {
          decision: 'approve',
          role: who.role,
          comment: `approved by the ${who.role}`,
        });
    }
  }

  /** Drives a run until it ends; answers other than 200 and 409 (a message already applied) fail it. */
  async drive(runId: string, timeoutMs = 240_000): Promise<RunStateView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.state(runId);
      if (FINAL_STATUSES.includes(state.status)) return state;
      if (Date.now() > deadline)
        throw new Error(`run ${runId} did not end: ${JSON.stringify(state.steps.map((s) => [s.id, s.status]))}`);
      const before = this.sent.length;
      for (const step of state.steps.filter((s) => s.status === 'waiting')) await this.act(runId, state, step);
      const bad = this.sent.slice(before).find((s) => s.status !== 200 && s.status !== 409);
      if (bad) throw new Error(`${bad.person} ${bad.path}: ${bad.status} ${JSON.stringify(bad.answer)}`);
      if (this.sent.length === before) await new Promise((r) => setTimeout(r, 300));
    }
  }
}
