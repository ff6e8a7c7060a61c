#!/usr/bin/env node
// The `wrapped` executable. Wrapped is written in TypeScript and run through tsx,
// so there is no build step between a checkout and a run.
import { register } from 'tsx/esm/api';

register();
// V8's settings first, before anything is hot enough to be optimized (engine/pool/v8-flags.ts).
const { applyV8Flags } = await import('../pool/v8-flags.ts');
applyV8Flags();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
