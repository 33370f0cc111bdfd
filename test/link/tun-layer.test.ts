/**
 * Layer rules for link/tun and the pcap tap (DESIGN.md): only src/link/tun
 * knows /dev/net/tun (and the FFI it is reached through); src/link/pcap.ts and
 * the ring shared with the reader thread use no Node APIs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's src/ (TypeScript sources), found upwards from this compiled file; undefined outside a checkout. */
function findSrc(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'src', 'link', 'tun', 'tun-link.ts'))) return join(dir, 'src');
    dir = dirname(dir);
  }
  return undefined;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const NODE_API = /\bBuffer\b|\bprocess\.|['"]node:|\b__dirname\b|\brequire\s*\(/;

test('only src/link/tun knows /dev/net/tun and koffi; pcap.ts and the ring use no Node APIs', (t) => {
  const src = findSrc();
  if (src === undefined) {
    t.skip('TypeScript sources not found next to the compiled tests');
    return;
  }
  for (const f of tsFiles(src)) {
    const rel = relative(src, f).split('\\').join('/');
    if (rel.startsWith('link/tun/')) continue;
    const text = readFileSync(f, 'utf8');
    assert.doesNotMatch(text, /\/dev\/net\/tun|['"]koffi['"]/, `${rel} must leave TUN devices to link/tun`);
  }
  for (const rel of ['link/pcap.ts', 'link/tun/ring.ts']) {
    assert.doesNotMatch(readFileSync(join(src, rel), 'utf8'), NODE_API, rel);
  }
});
