/** Why a root-only test cannot run here (one line), or undefined when it can. */
import { run } from '../fixtures/netns.js';

export async function rootTestUnavailable(commands: readonly string[]): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  for (const cmd of commands) {
    try {
      await run('sh', ['-c', `command -v ${cmd}`]);
    } catch {
      return `no ${cmd}`;
    }
  }
  return undefined;
}
