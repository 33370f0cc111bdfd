/**
 * The kernel suite tells the truth: every test file that makes a namespace
 * or a TUN device gates its tests with needKernel or needRoot (per test, on the tools it
 * drives), so one missing tool skips only the tests that need it, and
 * SYNACK_REQUIRE_KERNEL=1 turns any skip into a failure. Also checks that
 * gate itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { needKernel, needRoot, needTools } from '../fixtures/netns.js';
import { packageRoot } from '../helpers/package-root.js';

const ROOT = packageRoot(import.meta.url);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? testFiles(p) : e.name.endsWith('.test.ts') ? [p] : [];
  });
}

test('every test file that makes a namespace or a TUN device gates its tests with needKernel, never its own skip', () => {
  const offenders: string[] = [];
  let root = 0;
  for (const f of testFiles(join(ROOT, 'test'))) {
    const rel = relative(ROOT, f);
    if (rel.startsWith('test/docs/') || rel === 'test/interop/gating.test.ts') continue; // the docs test gates README blocks itself (kernelRequired)
    const text = readFileSync(f, 'utf8');
    if (!/\bNetns\b|\bnamespace\(|\bstartServe\(|\bInteropCase\b|\btunUnavailable\b|TunLink\.open/.test(text)) continue;
    root++;
    if (!/\bneed(Kernel|Root)\(/.test(text)) offenders.push(`${rel}: no needKernel() or needRoot()`);
    if (/\btunUnavailable\(/.test(text)) offenders.push(`${rel}: its own tunUnavailable() gate`);
  }
  assert.ok(root >= 3, `found ${root} root-only test files`);
  assert.deepEqual(offenders, []);
});

test('needKernel / needTools: skip with one line naming what is missing; under SYNACK_REQUIRE_KERNEL=1, fail instead', () => {
  const saved = process.env.SYNACK_REQUIRE_KERNEL;
  const skips: string[] = [];
  const t = { skip: (m?: string) => void skips.push(m ?? '') };
  try {
    delete process.env.SYNACK_REQUIRE_KERNEL;
    assert.equal(needTools(t, ['sh']), true);
    assert.equal(needTools(t, ['no-such-tool-synack', 'sh']), false);
    assert.deepEqual(skips, ['no-such-tool-synack not installed']);
    const kernel = needKernel(t, ['no-such-tool-synack']);
    assert.equal(kernel, false);
    assert.match(skips[1]!, /^(not root|no \/dev\/net\/tun|no `ip` command.*|not Linux|no-such-tool-synack not installed): needs root, \/dev\/net\/tun, no-such-tool-synack$/);
    assert.equal(needRoot(t, ['no-such-tool-synack']), false);
    assert.match(skips[2]!, /^(not root|not Linux|no-such-tool-synack not installed): needs root, ip, no-such-tool-synack$/);
    process.env.SYNACK_REQUIRE_KERNEL = '1';
    assert.throws(() => needTools(t, ['no-such-tool-synack']), /SYNACK_REQUIRE_KERNEL=1, but no-such-tool-synack not installed/);
    assert.throws(() => needKernel(t, ['no-such-tool-synack']), /SYNACK_REQUIRE_KERNEL=1, but this root-only test cannot run: .*/);
    assert.throws(() => needRoot(t, ['no-such-tool-synack']), /SYNACK_REQUIRE_KERNEL=1, but this root-only test cannot run/);
    assert.equal(skips.length, 3, 'no skip under SYNACK_REQUIRE_KERNEL=1');
  } finally {
    if (saved === undefined) delete process.env.SYNACK_REQUIRE_KERNEL;
    else process.env.SYNACK_REQUIRE_KERNEL = saved;
  }
});
