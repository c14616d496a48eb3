#!/usr/bin/env node
import { runCli } from './program.js';

// A reader that stops early (`storage-manager events | head`) closes the pipe: that ends the command quietly,
// as it does for every Unix tool, not with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/** The `storage-manager` command (package.json "bin"); see program.ts and `storage-manager --help`. */
process.exitCode = await runCli(process.argv.slice(2));
