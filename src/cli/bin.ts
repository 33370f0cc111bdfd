#!/usr/bin/env node
/**
 * The `synack` executable (package.json "bin"). It always runs the CLI,
 * whatever path or symlink started it: npx, npm link, a global install,
 * node_modules/.bin, or `node dist/src/cli/bin.js`.
 */
import { main } from './main.js';

// `synack … | head`: the reader went away. Stop quietly, as a Unix filter does, instead of a stack trace.
for (const out of [process.stdout, process.stderr]) {
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`synack: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
