import { createHash } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../src/contract/sha256';
import { compareAll, type Bench, type Comparison } from './harness';

/**
 * The workflow hashes evidence with a pure-TypeScript SHA-256 (the sandbox has no node:crypto).
 * How much slower than the native one is it, at an evidence-sized input and a large one? And
 * what does sorting keys (canonicalJson) cost over JSON.stringify on what recordEvidence hashes?
 */

function text(bytes: number): string {
  // ASCII, like the canonical JSON the workflow hashes; one character is one UTF-8 byte.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 {}":,';
  return Array.from({ length: bytes }, (_, i) => alphabet[(i * 7919) % alphabet.length]).join('');
}

const nodeSha256 = (input: string) => createHash('sha256').update(input).digest('hex');

function hashComparison(label: string, input: string): Comparison {
  if (sha256Hex(input) !== nodeSha256(input)) throw new Error(`sha256Hex disagrees with node:crypto on ${label}`);
  return {
    what: `SHA-256 of ${label}`,
    baseline: { label: 'node:crypto', run: () => nodeSha256(input) },
    candidate: { label: 'sha256Hex', run: () => sha256Hex(input) },
  };
}

/** What RunState.recordEvidence hashes for a document item: step, item and the submitted value. */
const evidence = {
  stepId: 'compliance-dossier',
  itemId: 'model-card',
  value: {
    url: 'https://docs.example.com/claims-assistant/model-card-v3.pdf',
    sha256: nodeSha256('model card v3'),
    name: 'Model card — claims assistant v3 (risk class: limited)',
  },
};

export const bench: Bench = {
  name: 'sha256',
  run: () =>
    compareAll('sha256', [
      hashComparison('1 KB', text(1024)),
      hashComparison('64 KB', text(64 * 1024)),
      {
        what: 'evidence value to JSON',
        baseline: { label: 'JSON.stringify', run: () => JSON.stringify(evidence) },
        candidate: { label: 'canonicalJson', run: () => canonicalJson(evidence) },
      },
    ]),
};
