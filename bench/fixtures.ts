import fs from 'node:fs';
import path from 'node:path';
import { parseRunbookText, type LoadedRunbook } from '../src/runbook/load';
import { prepareRun, type PrepareRunInput } from '../src/runbook/prepare';
import type { SandboxAddress } from '../src/runbook/sandboxDefaults';

/** The inputs several benchmarks share: the default runbook and a valid start of it. */

export const repoPath = (...parts: string[]): string => path.resolve(__dirname, '..', ...parts);

export const DEFAULT_RUNBOOK = 'runbooks/default.yaml';

/** The sandbox `npm start` runs by default: what the default runbook's `${sandbox.*}` defaults become. */
export const SHIPPED_SANDBOX: SandboxAddress = {
  url: 'http://127.0.0.1:8410',
  host: '127.0.0.1',
  port: 8410,
  alertReceiverUrl: 'http://127.0.0.1:8429/alerts',
};

export const defaultRunbookText = (): string => fs.readFileSync(repoPath(DEFAULT_RUNBOOK), 'utf8');

export const person = { pm: 'pm.initiator', guardian: 'guardian.one', sponsor: 'sponsor.one', user: 'user.one' };

/** One person per role, two guardians (the dossier sign-off needs one besides the initiator). */
const assignments: Record<string, string[]> = {
  'ai-product-manager': [person.pm],
  'implementation-engineer': ['eng.one'],
  guardian: [person.guardian, 'guardian.two'],
  'business-sponsor': [person.sponsor],
  operations: ['ops.one'],
  'end-user': [person.user],
};

export function startOf(loaded: LoadedRunbook): PrepareRunInput {
  return { loaded, system: 'claims-assistant', collaborationMode: 3, initiator: { id: person.pm }, assignments };
}

export function defaultInput() {
  return prepareRun(
    startOf(parseRunbookText(defaultRunbookText(), { source: DEFAULT_RUNBOOK, sandbox: SHIPPED_SANDBOX })),
  );
}
