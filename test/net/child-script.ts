/**
 * Run an ES module script in a child Node process and wait for it to exit
 * BY ITSELF: after `boundMs` it is killed (by its pid) and the promise
 * rejects, so a process held alive by mistake fails the test instead of
 * hanging it. The time it took is reported for printing, never asserted.
 */
import { spawn } from 'node:child_process';

export interface ScriptExit {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, ms. */
  ms: number;
}

export function runScript(source: string, boundMs = 20_000): Promise<ScriptExit> {
  const start = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the process did not exit by itself within ${boundMs} ms; stdout: ${stdout} stderr: ${stderr}`));
    }, boundMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - start });
    });
  });
}
