/**
 * Everything the CLI writes: data to stdout (tables for people, JSON for scripts), messages and
 * progress to stderr, so `golive start ... | xargs` or `--json | jq` see only data. Live
 * progress redraws in place on a terminal and falls back to one plain line per change in CI logs.
 */

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface InStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: NodeJS.ProcessEnv;
}

export const processIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

/** A line of data on stdout. */
export function print(io: Io, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** A message for the person on stderr. */
export function say(io: Io, text: string): void {
  io.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

export function printJson(io: Io, value: unknown): void {
  print(io, JSON.stringify(value, null, 2));
}

// ---------------------------------------------------------------------------------------------
// Colour, only where someone is looking (and not when they asked for none: NO_COLOR)

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, 'g');

export const visibleLength = (s: string): number => s.replace(ANSI, '').length;

export type Colour = 'green' | 'red' | 'yellow' | 'cyan' | 'dim' | 'bold';
const CODES: Record<Colour, [number, number]> = {
  green: [32, 39],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

export type Paint = (colour: Colour, text: string) => string;

export function painter(stream: OutStream, env: NodeJS.ProcessEnv): Paint {
  const on = Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
  return (colour, text) => (on ? `${ESC}[${CODES[colour][0]}m${text}${ESC}[${CODES[colour][1]}m` : text);
}

// ---------------------------------------------------------------------------------------------
// Tables

/** Aligned columns under upper-case headers; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, c) => Math.max(...all.map((r) => visibleLength(r[c] ?? ''))));
  return all
    .map((r) =>
      r
        .map((cell, c) =>
          c === r.length - 1 ? cell : cell + ' '.repeat(Math.max(0, (widths[c] ?? 0) - visibleLength(cell))),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `label   value` lines with the labels aligned (a run's header). */
export function fields(rows: readonly (readonly [string, string | undefined])[]): string {
  const present = rows.filter((r): r is readonly [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(0, ...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Live progress

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;

export interface LiveItem {
  key: string;
  text: string;
  /** Shows a spinner (TTY) in front of the text. */
  busy?: boolean;
}

/**
 * A block of lines on stderr. On a terminal it is redrawn in place with spinners for busy
 * items; elsewhere each item is printed once per change of its text, so logs stay readable.
 * `settledOnly`: elsewhere, a busy item waits until it settles (or the view stops), so a step
 * shows once with its outcome instead of once busy and once done.
 */
export class LiveView {
  private items: LiveItem[] = [];
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly printed = new Map<string, string>();
  private readonly tty: boolean;

  constructor(
    private readonly stream: OutStream,
    private readonly opts: { settledOnly?: boolean } = {},
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  update(items: readonly LiveItem[]): void {
    this.items = [...items];
    if (!this.tty) {
      this.print(items.filter((i) => !(i.busy && this.opts.settledOnly)));
      return;
    }
    this.draw();
    if (!this.timer && items.some((i) => i.busy)) {
      // unref: a spinner must never be what keeps the process alive.
      this.timer = setInterval(() => this.draw(), FRAME_MS).unref();
    }
  }

  /** Stops the spinner; the last lines stay on screen (elsewhere: what was held back is printed). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.draw(false);
    else this.print(this.items);
  }

  /** Elsewhere than on a terminal: each item whose text changed since it was last printed. */
  private print(items: readonly LiveItem[]): void {
    for (const item of items) {
      if (this.printed.get(item.key) === item.text) continue;
      this.printed.set(item.key, item.text);
      this.stream.write(item.text + '\n');
    }
  }

  /** Removes the block (a spinner that should leave no trace). */
  clear(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.drawn) this.stream.write(`${ESC}[${this.drawn}A${ESC}[0J`);
    this.drawn = 0;
  }

  private draw(spin = true): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    // Some terminals (and ptys without a size) report 0 columns: assume a usual width then.
    const width = Math.max(20, (this.stream.columns || 100) - 1);
    // Cut to the terminal's width: a wrapped line would throw the cursor-up count off.
    const lines = this.items.map((i) => {
      const mark = i.busy && spin ? `${FRAMES[this.frame]} ` : i.busy ? '… ' : '';
      const line = mark + i.text;
      return visibleLength(line) > width ? line.replace(ANSI, '').slice(0, width - 1) + '…' : line;
    });
    const up = this.drawn ? `${ESC}[${this.drawn}A` : '';
    this.stream.write(up + lines.map((l) => `${ESC}[2K${l}\n`).join('') + `${ESC}[0J`);
    this.drawn = lines.length;
  }
}

/** Shows `label` with a spinner while `work` runs (terminal only); nothing is left behind. */
export async function withSpinner<T>(io: Io, label: string, work: () => Promise<T>): Promise<T> {
  if (!io.stderr.isTTY) return work();
  const view = new LiveView(io.stderr);
  view.update([{ key: 'spinner', text: label, busy: true }]);
  try {
    return await work();
  } finally {
    view.clear();
  }
}
