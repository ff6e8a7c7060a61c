import type { Command } from '../command.ts';
import { bucketCommand } from './bucket.ts';
import { demoCommand } from './demo.ts';
import { generateCommand } from './generate.ts';
import { notBuilt } from './not-built.ts';
import { runCommand } from './run.ts';


/** Every `wrapped` subcommand, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  generateCommand,
  bucketCommand,
  runCommand,
  notBuilt('serve', 'serve the published documents over HTTP',
    'Serves <out>/current: documents, share cards and share links (SPEC §5).',
    'issue #7', [
      { name: 'out', kind: 'string', value: 'DIR', required: true, help: 'output directory of a run' },
      { name: 'port', kind: 'int', value: 'PORT', default: 8080, min: 0, max: 65535, help: 'TCP port' },
      { name: 'launched', kind: 'string', value: 'all|none|R,R', default: 'none', help: 'regions launched at start' },
    ]),
  notBuilt('bench', 'run the native benchmarks',
    'Micro and macro benchmarks beside their baselines (native-bench/). Until the harness lands, run\n' +
    'individual benchmarks with: node native-bench/run.mjs <name>.',
    'issue #8', [
      { name: 'users', kind: 'int', value: 'N', help: 'users in the generated year' }, { name: 'json', kind: 'bool', help: 'print JSON' },
      { name: 'compare', kind: 'string', value: 'GIT-REF', help: 'run another commit side by side' },
    ]),
  demoCommand,
];
