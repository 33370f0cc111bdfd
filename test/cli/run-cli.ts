/** Run the synack CLI (dist/src/cli/bin.js) as a child process; bounded by a timeout. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Exit status; -1 when the process was killed (e.g. by the timeout), so that a hang never reads as success. */
export function cli(args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) =>
    execFile(process.execPath, [BIN, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; signal?: unknown }) | null;
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : -1, stdout, stderr });
    }),
  );
}

/** Run many command lines, at most `parallel` at a time (the machine is shared), results in order. */
export async function cliAll(argvs: string[][], parallel = 4): Promise<CliResult[]> {
  const results: CliResult[] = new Array(argvs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < argvs.length) {
      const i = next++;
      results[i] = await cli(argvs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, argvs.length) }, worker));
  return results;
}
