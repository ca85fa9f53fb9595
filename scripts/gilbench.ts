#!/usr/bin/env node
// The command-line entry point (the "gilbench" bin, built to dist/scripts/gilbench.js): a thin wrapper over bench/cli/main.ts.
import { main } from '../bench/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
