import type { Command } from '../command.ts';
import { bucketCommand } from './bucket.ts';
import { demoCommand } from './demo.ts';
import { generateCommand } from './generate.ts';
import { notBuilt } from './not-built.ts';

const LAKE = { name: 'lake', kind: 'string', value: 'DIR', help: 'the Parquet lake (SPEC §2)' } as const;
const WORKERS = { name: 'workers', kind: 'int', value: 'N', min: 1, max: 256, help: 'worker threads (default: one per core)' } as const;

/** Every `wrapped` subcommand, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  generateCommand,
  bucketCommand,
  notBuilt('run', 'run the four stages and publish the documents',
    'Runs aggregate → enrich → rank → package as a restartable DAG and publishes <out>/current.',
    'issues #4, #5 and #6', [
      { ...LAKE, required: true }, { name: 'out', kind: 'string', value: 'DIR', required: true, help: 'output directory' },
      { name: 'year', kind: 'int', value: 'Y', help: 'year to compute' }, { name: 'smb', kind: 'string', value: 'DIR', help: 'existing SMB layout' },
      WORKERS, { name: 'sample', kind: 'number', value: 'F', min: 0, max: 1, help: 'dry run on this share of users' },
      { name: 'profile', kind: 'bool', help: 'write per-task timings' }, { name: 'cards', kind: 'bool', help: 'render share cards' },
    ]),
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
