/**
 * The parser of the stand-in's PromQL subset (see promql.ts for what it evaluates). A query
 * outside the subset is refused with a message that says so, never evaluated half-way: a real
 * Prometheus answers every query, and the README sends people there.
 */

export type Matcher = { label: string; op: '=' | '!=' | '=~' | '!~'; value: string };
export type Grouping = { mode: 'by' | 'without'; labels: string[] };

export type Node =
  | { kind: 'number'; value: number }
  | { kind: 'selector'; matchers: Matcher[]; rangeSeconds?: number }
  | { kind: 'call'; fn: string; args: Node[] }
  | { kind: 'aggregate'; op: string; grouping?: Grouping; arg: Node }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Node; right: Node }
  | { kind: 'negate'; arg: Node };

export class UnsupportedQuery extends Error {}

const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count'] as const;
const FUNCTIONS = ['rate', 'increase', 'histogram_quantile', 'abs', 'vector', 'scalar'] as const;

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([A-Za-z_:][A-Za-z0-9_:]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(=~|!~|!=|[-+*/(){}[\],=]))/y;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

type Token = { type: 'number' | 'ident' | 'string' | 'punct'; text: string };

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < query.length) {
    if (/^\s*$/.test(query.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(query);
    if (!m) throw new UnsupportedQuery(`cannot read the query at "${query.slice(at, at + 20)}"`);
    at = TOKEN.lastIndex;
    if (m[1] !== undefined) tokens.push({ type: 'number', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ type: 'ident', text: m[2] });
    else if (m[3] !== undefined)
      tokens.push({
        type: 'string',
        text: JSON.parse(m[3].startsWith("'") ? `"${m[3].slice(1, -1).replace(/"/g, '\\"')}"` : m[3]) as string,
      });
    else tokens.push({ type: 'punct', text: m[4]! });
  }
  return tokens;
}

export function parseQuery(query: string): Node {
  const p = new Parser(tokenize(query));
  const node = p.expr();
  if (!p.done()) throw new UnsupportedQuery(`unexpected "${p.peek()?.text}" after a complete expression`);
  return node;
}

/**
 * How deep parentheses, calls, aggregations and negations may nest: the parser and the evaluator
 * recurse once per level, and a query thousands deep overflowed the stack ("RangeError: Maximum
 * call stack size exceeded" as the 400's message). Real queries nest a handful of levels.
 */
export const MAX_QUERY_DEPTH = 64;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.i >= this.tokens.length;
  }
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private take(text?: string): Token {
    const t = this.tokens[this.i];
    if (!t || (text !== undefined && t.text !== text))
      throw new UnsupportedQuery(`expected "${text ?? 'more'}" but found "${t?.text ?? 'the end'}"`);
    this.i++;
    return t;
  }
  private accept(text: string): boolean {
    if (this.peek()?.text !== text) return false;
    this.i++;
    return true;
  }

  expr(): Node {
    let left = this.term();
    while (this.peek()?.text === '+' || this.peek()?.text === '-') {
      const op = this.take().text as '+' | '-';
      left = { kind: 'binary', op, left, right: this.term() };
    }
    return left;
  }

  private term(): Node {
    let left = this.unary();
    while (this.peek()?.text === '*' || this.peek()?.text === '/') {
      const op = this.take().text as '*' | '/';
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  /** Every nesting passes through here (a negation, or a primary's inner expression), so the depth is kept here. */
  private unary(): Node {
    if (++this.depth > MAX_QUERY_DEPTH)
      throw new UnsupportedQuery(`the query nests more than ${MAX_QUERY_DEPTH} levels deep`);
    try {
      if (this.accept('-')) return { kind: 'negate', arg: this.unary() };
      return this.primary();
    } finally {
      this.depth--;
    }
  }

  private primary(): Node {
    const t = this.peek();
    if (!t) throw new UnsupportedQuery('the query ends too early');
    if (t.type === 'number') return { kind: 'number', value: Number(this.take().text) };
    if (this.accept('(')) {
      const inner = this.expr();
      this.take(')');
      return inner;
    }
    if (t.text === '{') return this.selector(undefined);
    if (t.type !== 'ident') throw new UnsupportedQuery(`unexpected "${t.text}"`);
    this.take();
    if (
      (AGGREGATIONS as readonly string[]).includes(t.text) &&
      (this.peek()?.text === '(' || this.peek()?.text === 'by' || this.peek()?.text === 'without')
    ) {
      return this.aggregate(t.text);
    }
    if (this.peek()?.text === '(') {
      if (!(FUNCTIONS as readonly string[]).includes(t.text))
        throw new UnsupportedQuery(`function ${t.text}() is not in the stand-in's subset (${FUNCTIONS.join(', ')})`);
      this.take('(');
      const args = [this.expr()];
      while (this.accept(',')) args.push(this.expr());
      this.take(')');
      return { kind: 'call', fn: t.text, args };
    }
    if (['and', 'or', 'unless', 'offset', 'bool', 'on', 'ignoring'].includes(t.text))
      throw new UnsupportedQuery(`"${t.text}" is not in the stand-in's subset`);
    return this.selector(t.text);
  }

  private aggregate(op: string): Node {
    let grouping = this.grouping();
    this.take('(');
    const arg = this.expr();
    this.take(')');
    grouping ??= this.grouping();
    return { kind: 'aggregate', op, arg, ...(grouping ? { grouping } : {}) };
  }

  private grouping(): Grouping | undefined {
    const mode = this.peek()?.text;
    if (mode !== 'by' && mode !== 'without') return undefined;
    this.take();
    this.take('(');
    const labels: string[] = [];
    while (!this.accept(')')) {
      labels.push(this.take().text);
      this.accept(',');
    }
    return { mode, labels };
  }

  private selector(name: string | undefined): Node {
    const matchers: Matcher[] = name ? [{ label: '__name__', op: '=', value: name }] : [];
    if (this.accept('{')) {
      while (!this.accept('}')) {
        const label = this.take().text;
        const op = this.take().text;
        if (op !== '=' && op !== '!=' && op !== '=~' && op !== '!~')
          throw new UnsupportedQuery(`unknown label matcher "${op}"`);
        const value = this.take();
        if (value.type !== 'string') throw new UnsupportedQuery(`label ${label}: expected a quoted value`);
        matchers.push({ label, op, value: value.text });
        this.accept(',');
      }
    }
    if (matchers.length === 0) throw new UnsupportedQuery('a selector needs a metric name or a label matcher');
    if (!this.accept('[')) return { kind: 'selector', matchers };
    const rangeSeconds = this.duration();
    this.take(']');
    return { kind: 'selector', matchers, rangeSeconds };
  }

  /** `1m`, `30s`, `1h30m`: the tokenizer splits them into number and unit pieces. */
  private duration(): number {
    let seconds = 0;
    while (this.peek()?.type === 'number') {
      const n = Number(this.take().text);
      const unit = this.take().text;
      const m = /^(ms|s|m|h|d|w)(\d.*)?$/.exec(unit);
      if (!m) throw new UnsupportedQuery(`unknown duration unit "${unit}"`);
      seconds += n * UNIT_SECONDS[m[1]!]!;
      if (m[2]) throw new UnsupportedQuery(`write durations such as 1h30m with units only ("${unit}")`);
    }
    if (seconds <= 0) throw new UnsupportedQuery('a range needs a positive duration such as [1m]');
    return seconds;
  }
}
