/**
 * The project's own tools take strict arguments: `npm run bench`, bench/kernel-paths.js, bench/scale.js, bench/packet-cost.js, bench/net-bulk.js, bench/conn-rate.js,
 * bench/compare.js, bench/probe.js, bench/interop.js and `npm run fuzz` print their usage
 * for --help and refuse an unknown flag with status 2 — a typo must never start a long run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tool = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
const TOOLS: Array<[string, string]> = [
  ['bench', tool('../../bench/run.js')],
  ['fuzz', tool('../../fuzz/main.js')],
  ['bench/kernel-paths', tool('../../bench/kernel-paths.js')],
  ['bench/scale', tool('../../bench/scale.js')],
  ['bench/packet-cost', tool('../../bench/packet-cost.js')],
  ['bench/net-bulk', tool('../../bench/net-bulk.js')],
  ['bench/conn-rate', tool('../../bench/conn-rate.js')],
  ['bench/compare', tool('../../bench/compare.js')],
  ['bench/probe', tool('../../bench/probe.js')],
  ['bench/interop', tool('../../bench/interop.js')],
];

for (const [name, file] of TOOLS) {
  test(`${name}: --help prints the usage and exits 0 at once`, () => {
    const r = spawnSync(process.execPath, [file, '--help'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /usage/i);
  });

  test(`${name}: an unknown flag is refused with status 2 and the usage`, () => {
    const r = spawnSync(process.execPath, [file, '--no-such-flag'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /--no-such-flag/);
    assert.match(r.stderr, /usage/i);
  });
}

test('bench/packet-cost: a value that is not a positive integer is refused with status 2', () => {
  const r = spawnSync(process.execPath, [tool('../../bench/packet-cost.js'), '--mib', '0'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stderr, /--mib 0: must be an integer between 1 and 2047/);
});

test('bench/compare: a baseline without a built dist/bench is refused with status 2, before any run', () => {
  const r = spawnSync(process.execPath, [tool('../../bench/compare.js'), '--baseline', '/nonexistent/synack'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 2, r.stdout);
  assert.match(r.stderr, /--baseline \/nonexistent\/synack: no built dist\/bench there/);
});

test('bench/probe: an unknown figure is refused with status 2; a known one prints one JSON line of that build', () => {
  const bad = spawnSync(process.execPath, [tool('../../bench/probe.js'), '--build', '.', '--figure', 'bulk'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(bad.status, 2, bad.stdout);
  assert.match(bad.stderr, /--figure bulk: unknown figure/);
  // This checkout's own build (dist/test/cli → the checkout), short connections at concurrency 1 over two in-process stacks.
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const r = spawnSync(process.execPath, [tool('../../bench/probe.js'), '--build', root, '--figure', 'conn-1'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  const fig = JSON.parse(lines[0]!) as Record<string, number>;
  assert.ok(fig.perSecond! > 0 && fig.heapBytesPerConnection! > 0, r.stdout);
});
