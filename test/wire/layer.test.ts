/**
 * Layer rule for src/wire: it imports nothing but its own siblings and uses no
 * Node APIs (no Buffer, no node:*), so it runs unchanged in a browser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../helpers/package-root.js';

// The TypeScript sources, found from the package root (wherever the build output sits).
const wireDir = join(packageRoot(import.meta.url), 'src', 'wire') + '/';
const sources = readdirSync(wireDir).filter((f) => f.endsWith('.ts'));

test('src/wire sources are found', () => {
  for (const f of ['errors.ts', 'checksum.ts', 'ipv4.ts', 'ipv6.ts', 'ip.ts', 'tcp-options.ts', 'tcp.ts', 'packet.ts', 'index.ts']) {
    assert.ok(sources.includes(f), f);
  }
});

test('src/wire imports only sibling modules, with the .js suffix', () => {
  for (const f of sources) {
    const text = readFileSync(wireDir + f, 'utf8');
    for (const m of text.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)) {
      assert.match(m[1], /^\.\/[a-z0-9-]+\.js$/, `${f} imports ${m[1]}`);
    }
    assert.doesNotMatch(text, /\brequire\s*\(|\bimport\s*\(/, `${f} uses require()/import()`);
  }
});

test('src/wire uses no Node APIs (Buffer, process, node:*)', () => {
  for (const f of sources) {
    const text = readFileSync(wireDir + f, 'utf8');
    assert.doesNotMatch(text, /\bBuffer\b|\bprocess\.|['"]node:|\b__dirname\b/, f);
  }
});

test('the sources are found from the package root, wherever this file runs from', () => {
  const here = packageRoot(import.meta.url);
  assert.equal(packageRoot(join(here, 'test', 'wire', 'layer.test.ts')), here, 'from the TypeScript source');
  assert.equal(packageRoot(join(here, 'dist', 'test', 'wire', 'layer.test.js')), here, 'from the build output');
  assert.equal(packageRoot(join(here, 'src', 'wire', 'tcp.ts')), here);
  assert.throws(() => packageRoot('/'), /no synack package\.json above/);
});
