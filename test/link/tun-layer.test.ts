/**
 * Layer rules for link/tun and the pcap tap (DESIGN.md): only src/link/tun
 * knows /dev/net/tun (and the FFI it is reached through); src/link/pcap.ts and
 * the ring shared with the reader thread use no Node APIs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../helpers/package-root.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const NODE_API = /\bBuffer\b|\bprocess\.|['"]node:|\b__dirname\b|\brequire\s*\(/;

test('only src/link/tun knows /dev/net/tun and koffi; pcap.ts and the ring use no Node APIs', () => {
  const src = join(packageRoot(import.meta.url), 'src');
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
