#!/usr/bin/env node
// The `wrapped` executable. Wrapped is written in TypeScript and run through tsx,
// so there is no build step between a checkout and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
