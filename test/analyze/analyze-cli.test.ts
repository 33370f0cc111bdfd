import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findScenario } from '../../src/sim/catalogue.js';
import { scenarioPcap } from '../../src/analyze/scenario-pcap.js';

const MAIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
const synack = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

function withCapture(name: string, fn: (file: string, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'synack-analyze-'));
  try {
    const file = join(dir, `${name}.pcap`);
    writeFileSync(file, scenarioPcap(findScenario(name)!, { seed: 1 }).pcap);
    fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('synack analyze FILE: capture line, summary table, findings with explanation and advice', () => {
  withCapture('fin-wait-2-timeout', (file) => {
    const r = synack('analyze', file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /pcap, 7 frames, 7 TCP segments, 1 connections/);
    assert.match(r.stdout, /^1\s+10\.0\.0\.1:\d+\s+10\.0\.0\.2:80\s/m);
    assert.match(r.stdout, /● application never closes: CLOSE_WAIT/);
    assert.match(r.stdout, /What to change: Fix the application/);
  });
});

test('synack analyze --json: { connections: [scenario-format documents] } with addr:port endpoints', () => {
  withCapture('simultaneous-close', (file) => {
    const r = synack('analyze', file, '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.connections.length, 1);
    const doc = out.connections[0];
    assert.match(doc.endpoints[0], /^10\.0\.0\.1:\d+$/);
    assert.equal(doc.endpoints[1], '10.0.0.2:80');
    for (const ep of doc.endpoints) {
      const tos = doc.events.filter((e: any) => e.type === 'state' && e.endpoint === ep).map((e: any) => e.to);
      assert.deepEqual(tos.slice(-3), ['CLOSING', 'TIME_WAIT', 'CLOSED']);
    }
    assert.equal(out.summary[0].close, 'simultaneous');
  });
});

test('synack analyze --conn ID draws the ladder and state diagram; --svg DIR writes both SVGs', () => {
  withCapture('lost-final-ack', (file, dir) => {
    const r = synack('analyze', file, '--conn', '1', '--width', '120', '--svg', join(dir, 'svg'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /FIN_WAIT_2 → TIME_WAIT/);
    assert.match(r.stdout, /● LAST_ACK\s+→ CLOSED/);
    assert.deepEqual(readdirSync(join(dir, 'svg')).sort(), ['conn-1-ladder.svg', 'conn-1-states.svg']);
    assert.equal(synack('analyze', file, '--conn', '9').status, 2);
  });
});

test('synack analyze: --help, unknown flags, missing and non-capture files', () => {
  const h = synack('analyze', '--help');
  assert.equal(h.status, 0);
  assert.match(h.stdout, /usage: synack analyze FILE/);
  const u = synack('analyze', 'x.pcap', '--frobnicate');
  assert.equal(u.status, 2);
  assert.equal(u.stderr.trim().split('\n').length, 1);
  assert.match(u.stderr, /--frobnicate/);
  assert.equal(synack('analyze', '/nonexistent/x.pcap').status, 1);
  const r = synack('analyze', MAIN);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not a pcap or pcapng file/);
});
