import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
const synack = (...args: string[]) => execFileSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

test('synack scenario --list names every scenario with one line each', () => {
  const out = synack('scenario', '--list');
  const lines = out.trim().split('\n');
  assert.ok(lines.length >= 16);
  assert.match(out, /^simultaneous-close\s+\S/m);
  assert.match(out, /^lost-final-ack\s+\S/m);
});

test('synack scenario simultaneous-close --json prints the contract document: both ends FIN_WAIT_1 → CLOSING → TIME_WAIT → CLOSED', () => {
  const doc = JSON.parse(synack('scenario', 'simultaneous-close', '--json'));
  assert.equal(doc.scenario, 'simultaneous-close');
  assert.deepEqual(doc.endpoints, ['A', 'B']);
  for (const ep of ['A', 'B']) {
    const tos = doc.events.filter((e: any) => e.type === 'state' && e.endpoint === ep).map((e: any) => e.to);
    assert.deepEqual(tos.slice(-4), ['FIN_WAIT_1', 'CLOSING', 'TIME_WAIT', 'CLOSED']);
  }
});

test('the same --seed gives byte-identical JSON; another seed changes it', () => {
  const a = synack('scenario', 'lost-final-ack', '--json', '--seed', '42');
  const b = synack('scenario', 'lost-final-ack', '--json', '--seed', '42');
  const c = synack('scenario', 'lost-final-ack', '--json', '--seed', '43');
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('the text ladder shows both ends’ states beside the segments; --svg writes a drawing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-cli-'));
  try {
    const svg = join(dir, 'ladder.svg');
    const out = synack('scenario', 'active-close', '--svg', svg, '--width', '100');
    assert.match(out, /FIN_WAIT_1 → FIN_WAIT_2/);
    assert.match(out, /CLOSE_WAIT → LAST_ACK/);
    assert.match(out, /FIN,ACK seq=\d+ ack=\d+/);
    assert.match(readFileSync(svg, 'utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input gets a clear message and exit code 2', () => {
  for (const args of [['scenario', 'no-such-thing'], ['scenario'], ['scenario', 'handshake', '--seed', 'x'], ['scenario', 'handshake', '--bogus'], ['nope']]) {
    const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /synack/);
  }
});
