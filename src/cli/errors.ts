/**
 * The CLI's exit codes and the two errors that carry them. Commands throw; main.ts is the one
 * place that prints an error and turns it into an exit code, so every path ends the same way.
 */

export const EXIT = {
  ok: 0,
  /** Refused by the server, failed, or invalid input found after parsing (a broken runbook). */
  failed: 1,
  /** The command line itself is wrong: unknown command or flag, missing argument, bad value. */
  usage: 2,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure to report as-is: `message` is the first line, `details` follow it indented. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly details: readonly string[] = [],
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
  }
}

/** A wrong command line; `command` names the command whose help to point at. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly command?: string,
    details: readonly string[] = [],
  ) {
    super(message, details, EXIT.usage);
  }
}
