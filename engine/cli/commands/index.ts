import type { Command } from '../command.ts';
import { benchCommand } from './bench.ts';
import { bucketCommand } from './bucket.ts';
import { demoCommand } from './demo.ts';
import { generateCommand } from './generate.ts';
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
  benchCommand,
  demoCommand,
];
