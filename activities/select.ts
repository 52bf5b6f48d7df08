/**
 * Picks fields out of a JSON answer for the hypercare watch: dot paths, `[*]` for every item of a
 * list, `[field=value]` for the items whose field has that value, `[3]` for one item. Lists come
 * back sorted (by their canonical JSON), so a list compares as a set: the same bindings in
 * another order are not a change. Pure; no expression evaluation of any kind.
 */

type Token =
  | { kind: 'key'; key: string }
  | { kind: 'all' }
  | { kind: 'where'; field: string; value: string }
  | { kind: 'index'; index: number };

const TOKEN = /([^.[\]]+)|\[([^\]]*)\]/g;

function parseSelector(path: string): Token[] | undefined {
  const tokens: Token[] = [];
  let consumed = 0;
  for (const m of path.matchAll(TOKEN)) {
    const between = path.slice(consumed, m.index);
    if (between !== '' && between !== '.') return undefined;
    consumed = m.index + m[0].length;
    if (m[1] !== undefined) tokens.push({ kind: 'key', key: m[1] });
    else if (m[2] === '*') tokens.push({ kind: 'all' });
    else if (/^\d+$/.test(m[2]!)) tokens.push({ kind: 'index', index: Number(m[2]) });
    else {
      const eq = m[2]!.indexOf('=');
      if (eq <= 0) return undefined;
      tokens.push({ kind: 'where', field: m[2]!.slice(0, eq).trim(), value: m[2]!.slice(eq + 1).trim() });
    }
  }
  return consumed === path.length && tokens.length > 0 ? tokens : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function apply(value: unknown, tokens: readonly Token[], i: number): unknown {
  const t = tokens[i];
  if (!t) return value;
  switch (t.kind) {
    case 'key':
      return isRecord(value) && Object.hasOwn(value, t.key) ? apply(value[t.key], tokens, i + 1) : undefined;
    case 'index':
      return Array.isArray(value) ? apply(value[t.index], tokens, i + 1) : undefined;
    case 'all':
    case 'where': {
      if (!Array.isArray(value)) return undefined;
      const items = t.kind === 'all' ? value : value.filter((x) => isRecord(x) && String(x[t.field]) === t.value);
      // Nested lists of lists flatten: `groups[*].rules[*].name` is one list of names.
      return items.map((x) => apply(x, tokens, i + 1)).flat();
    }
  }
}

/** Canonical JSON: object keys sorted, lists sorted by their items' canonical JSON. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(canonical)
      .map((v) => [JSON.stringify(v) ?? 'null', v] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v);
  }
  if (isRecord(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical(value[k])]),
    );
  return value === undefined ? null : value;
}

/** The selected field, canonical; null when the answer has no such field. */
export function select(json: unknown, path: string): unknown {
  const tokens = parseSelector(path);
  return tokens ? canonical(apply(json, tokens, 0)) : null;
}
