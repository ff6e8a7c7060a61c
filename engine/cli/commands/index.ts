import type { Command } from '../command.ts';
import { bucketCommand } from './bucket.ts';
import { demoCommand } from './demo.ts';
import { generateCommand } from './generate.ts';
import { notBuilt } from './not-built.ts';
import { runCommand } from './run.ts';
import { serveCommand } from './serve.ts';
import { tokenCommand } from './token.ts';


/** Every `wrapped` subcommand, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  generateCommand,
  bucketCommand,
  runCommand,
  serveCommand,
  tokenCommand,
  notBuilt('bench', 'run the native benchmarks',
    'Micro and macro benchmarks beside their baselines (native-bench/). Until the harness lands, run\n' +
    'individual benchmarks with: node native-bench/run.mjs <name>.',
    'issue #8', [
      { name: 'users', kind: 'int', value: 'N', help: 'users in the generated year' }, { name: 'json', kind: 'bool', help: 'print JSON' },
      { name: 'compare', kind: 'string', value: 'GIT-REF', help: 'run another commit side by side' },
    ]),
  demoCommand,
];
