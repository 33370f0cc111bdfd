/**
 * The package root (the folder with synack's package.json), found by walking
 * up from the calling file, so tests do not depend on where the build output
 * sits (dist/test/…, another outDir, or the sources themselves).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest ancestor of `from` (a file: URL or path) holding a package.json whose name is "synack". */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(from.startsWith('file:') ? fileURLToPath(from) : from);
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: unknown }).name === 'synack') return dir;
      } catch {
        /* not ours: keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`no synack package.json above ${from}`);
    dir = up;
  }
}
