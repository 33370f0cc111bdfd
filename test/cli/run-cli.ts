/** Run the synack CLI (dist/src/cli/bin.js) as a child process; bounded by a timeout. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolve) =>
    execFile(process.execPath, [BIN, ...args], { timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code: unknown }).code) : 0, stdout, stderr }),
    ),
  );
}
