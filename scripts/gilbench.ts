#!/usr/bin/env -S npx tsx
// The npm scripts' entry point: a thin wrapper over bench/cli.ts.
import { main } from '../bench/cli.ts';

process.exitCode = await main(process.argv.slice(2));
