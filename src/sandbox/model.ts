/**
 * The "AI model" of the sandbox: a deterministic toy risk scorer, so a predict call costs a
 * little CPU, answers the same for the same text, and differs between versions.
 */
const positive = ['good', 'great', 'safe', 'approved', 'stable', 'healthy', 'fast', 'love'];
const negative = ['bad', 'risk', 'fraud', 'fail', 'error', 'slow', 'outage', 'hate'];

export interface Prediction {
  score: number;
  label: 'low-risk' | 'high-risk';
  tokens: number;
}

export function predict(text: string, version: string): Prediction {
  const tokens = text.toLowerCase().match(/[a-z]+/g) ?? [];
  let logit = 0;
  for (const t of tokens) {
    if (positive.includes(t)) logit -= 1;
    if (negative.includes(t)) logit += 1;
  }
  // A version-dependent bias makes a deploy observable in predictions, not only in /version.
  const bias = (hash(version) % 21) / 100 - 0.1;
  const score = Math.round((1 / (1 + Math.exp(-logit)) + bias) * 1_000) / 1_000;
  const clamped = Math.min(1, Math.max(0, score));
  return { score: clamped, label: clamped >= 0.5 ? 'high-risk' : 'low-risk', tokens: tokens.length };
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}
