import { wrappedError } from '../../errors/registry.ts';
import type { Command } from '../command.ts';
import type { FlagSpec } from '../flags.ts';

/** A subcommand of the contract (SPEC §5) that is not built yet: full help, and a plain refusal to run. */
export function notBuilt(name: string, summary: string, description: string, issue: string, flags: readonly FlagSpec[]): Command {
  return {
    name, summary: `${summary} [not built yet]`, description: `${description}\n\nNot built yet: tracked in ${issue}.`, flags,
    async run() {
      throw wrappedError('ERR_NOT_IMPLEMENTED', { what: `wrapped ${name}`, issue });
    },
  };
}
