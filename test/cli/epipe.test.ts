/**
 * `synack … | head`: when the reader of stdout goes away, the command stops
 * quietly (exit 0, nothing on stderr) instead of dying with an EPIPE stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN } from './run-cli.js';

test('a closed stdout pipe ends the command quietly, as `synack scenario … | head -1` expects', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [BIN, 'scenario', 'lossy-transfer'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  // Read the first chunk, then close our end of the pipe as `head -1` does.
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Error/);
});
