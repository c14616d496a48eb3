#!/usr/bin/env node
import { runCli } from './program.js';

/** The `storage-manager` command (package.json "bin"); see program.ts and `storage-manager --help`. */
process.exitCode = await runCli(process.argv.slice(2));
