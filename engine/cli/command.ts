import type { FlagSpec, FlagValues } from './flags.ts';

/** What a subcommand's handler gets besides its flags. */
export interface CommandContext {
  /** Writes a line for people (stdout). */
  readonly out: (line: string) => void;
  /** Writes a line of diagnostics or progress (stderr). */
  readonly err: (line: string) => void;
  readonly isTTY: boolean;
}

/** One `wrapped` subcommand: its name, help, flags and handler. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Longer help text shown after the usage line. */
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  /** A flag that may also be given as the first bare argument (`wrapped token <user_id>`). */
  readonly positional?: string;
  /** Returns the process exit code. */
  readonly run: (flags: FlagValues, ctx: CommandContext) => Promise<number>;
}

export const HELP_FLAG: FlagSpec = { name: 'help', kind: 'bool', help: 'show this help and exit' };
