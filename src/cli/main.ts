import fs from 'node:fs';
import path from 'node:path';
import { commandHelp, parseCommandLine, shortUsage, twoColumns, type CommandGroup, type CommandSpec } from './args';
import { approve, evidence, reject, resend } from './commands/decisions';
import { dossier, history, verify } from './commands/audit';
import { acknowledge, report, reports, resolve, rollback, stop } from './commands/redButton';
import { keysList, keysRotate } from './commands/keys';
import { runbookShow, runbookValidate } from './commands/runbook';
import { list, start, status } from './commands/runs';
import { login, logout, whoami } from './commands/session';
import { DEFAULT_URL } from './config';
import { createContext } from './context';
import { CliError, EXIT, UsageError, type ExitCode } from './errors';
import { print, processIo, say, type Io } from './output';

/**
 * `golive`: finds the command, parses its arguments, runs it, and is the one place that turns
 * an error into a message on stderr and an exit code (0 ok, 1 refused or failed, 2 usage).
 */

export const COMMANDS: readonly CommandSpec[] = [
  runbookValidate,
  runbookShow,
  start,
  list,
  status,
  approve,
  reject,
  evidence,
  resend,
  report,
  acknowledge,
  resolve,
  reports,
  stop,
  rollback,
  history,
  dossier,
  verify,
  login,
  logout,
  whoami,
  keysList,
  keysRotate,
];

const GROUPS: Record<CommandGroup, string> = {
  runbooks: 'Runbooks (local files, no server needed)',
  runs: 'Runs',
  decisions: 'Decisions and evidence',
  'red-button': 'Red Button',
  audit: 'Audit trail and dossier',
  session: 'Session',
  keys: "Signing keys (on the server's machine, no server needed)",
};

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

export function overview(): string {
  const lines = [
    'golive: run go-live runbooks for AI systems from a terminal or a pipeline',
    '',
    'Usage: golive <command> [arguments] [options]',
  ];
  const width = Math.max(...COMMANDS.map((c) => shortUsage(c).length));
  for (const [group, title] of Object.entries(GROUPS)) {
    lines.push(
      '',
      `${title}:`,
      ...twoColumns(
        COMMANDS.filter((c) => c.group === group).map((c) => [shortUsage(c), c.summary]),
        2,
        width,
      ),
    );
  }
  lines.push(
    '',
    'Environment:',
    ...twoColumns(
      [
        ['GOLIVE_URL', `the golive server (default: the saved URL, else ${DEFAULT_URL})`],
        ['GOLIVE_TOKEN', 'your API token (default: the one saved by golive login)'],
        ['NO_COLOR', 'no colours'],
      ],
      2,
      width,
    ),
    '',
    'Exit codes: 0 ok, 1 refused or failed, 2 usage error. Data goes to stdout, messages to stderr.',
    'Run "golive <command> --help" for a command\'s options.',
  );
  return lines.join('\n');
}

/** The longest command name the arguments start with (`runbook validate` before `runbook`). */
function findCommand(argv: readonly string[]): { spec: CommandSpec; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const spec = COMMANDS.find((c) => c.name === name);
    if (spec) return { spec, rest: argv.slice(words) };
  }
  return undefined;
}

function unknownCommand(argv: readonly string[]): UsageError {
  const first = argv[0] ?? '';
  const subcommands = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.slice(first.length + 1));
  if (subcommands.length) return new UsageError(`"${first}" needs a subcommand: ${subcommands.join(', ')}`);
  return new UsageError(
    first.startsWith('-') ? `unknown flag ${first} (flags go after the command)` : `unknown command "${first}"`,
  );
}

function printError(io: Io, err: unknown): ExitCode {
  if (err instanceof CliError) {
    say(io, `golive: ${err.message}`);
    for (const line of err.details) say(io, `  ${line}`);
    if (err instanceof UsageError) say(io, `Run "golive ${err.command ? `${err.command} ` : ''}--help" for usage.`);
    return err.exitCode;
  }
  say(io, `golive: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return EXIT.failed;
}

export async function main(argv: readonly string[], io: Io = processIo(), fetchImpl?: typeof fetch): Promise<ExitCode> {
  try {
    const first = argv[0];
    if (first === undefined) {
      say(io, overview());
      return EXIT.usage;
    }
    if (first === '--help' || first === '-h' || (first === 'help' && argv.length === 1)) {
      print(io, overview());
      return EXIT.ok;
    }
    if (first === '--version' || first === '-V') {
      print(io, version());
      return EXIT.ok;
    }
    const helpFor = first === 'help' ? argv.slice(1) : undefined;
    const found = findCommand(helpFor ?? argv);
    if (!found) throw unknownCommand(helpFor ?? argv);
    const parsed = helpFor ? ({ help: true } as const) : parseCommandLine(found.spec, found.rest);
    if (parsed.help) {
      print(io, commandHelp(found.spec));
      return EXIT.ok;
    }
    return (await found.spec.run(parsed.input, createContext(io, fetchImpl))) ?? EXIT.ok;
  } catch (err) {
    return printError(io, err);
  }
}
