import { WrappedError } from '../errors/registry.ts';
import { wrappedError } from '../errors/registry.ts';
import { HELP_FLAG, type Command, type CommandContext } from './command.ts';
import { formatFlags, parseFlags } from './flags.ts';
import { COMMANDS } from './commands/index.ts';
import { applyV8Flags } from '../pool/v8-flags.ts';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'wrapped — an annual listening retrospective, computed on one host.',
    '',
    'Usage: wrapped <command> [flags]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'wrapped <command> --help' for a command's flags.",
  ].join('\n');
}

/** The help page of one command. */
export function commandHelp(c: Command): string {
  return [`Usage: wrapped ${c.name} [flags]`, '', c.description, '', 'Flags:', formatFlags([...c.flags, HELP_FLAG])].join('\n');
}

function defaultContext(): CommandContext {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/**
 * Runs `wrapped` with the given arguments and returns the exit code. Registry
 * errors print their message (never a stack) and exit with their code;
 * anything else is a bug and prints its stack.
 */
export async function main(argv: readonly string[], ctx: CommandContext = defaultContext()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(usage());
    return name === undefined ? 2 : 0;
  }
  try {
    // V8's settings for the process, before any command's work is hot enough to be optimized.
    applyV8Flags();
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw wrappedError('ERR_CLI_UNKNOWN_COMMAND', { command: name, known: COMMANDS.map((c) => c.name) });
    if (rest.includes('--help') || rest.includes('-h')) {
      ctx.out(commandHelp(command));
      return 0;
    }
    const args = command.positional && rest[0] !== undefined && !rest[0].startsWith('--') ? [`--${command.positional}`, ...rest] : rest;
    const flags = parseFlags(command.name, command.flags, args);
    return await command.run(flags, ctx);
  } catch (e) {
    if (e instanceof WrappedError) {
      ctx.err(`error ${e.code}: ${e.message}`);
      return e.exit;
    }
    ctx.err(`internal error (a bug in wrapped; please report it):\n${e instanceof Error ? e.stack : String(e)}`);
    return 70;
  }
}
