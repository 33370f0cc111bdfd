/** How users reach the API: createStack() / withNet(), the package entry, and the layer rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as nodeNet from 'node:net';
import * as synack from '../../src/index.js';
import { createStack, MemoryLink, Stack, VirtualClock, withNet } from '../../src/index.js';
import { Socket } from '../../src/net/index.js';
import { virtualNet } from '../helpers/virtual-net.js';

test('createStack() returns a Stack whose `net` is node:net’s API bound to it', () => {
  const clock = new VirtualClock();
  const s = createStack({ clock, name: 'X' });
  assert.ok(s instanceof Stack);
  assert.equal(s.net.stack, s);
  for (const k of ['createServer', 'connect', 'createConnection', 'Socket', 'Server', 'isIP'] as const) assert.equal(typeof s.net[k], 'function', k);
  assert.equal(Object.keys(s).includes('net'), false, 'non-enumerable: ss/JSON dumps of a stack stay the same');
  assert.equal(s.net.isIP('10.0.0.1'), 4);
});

test('withNet() is idempotent and a plain Stack has no `net` until it is given one', () => {
  const clock = new VirtualClock();
  const plain = new Stack({ clock });
  assert.equal((plain as unknown as { net?: unknown }).net, undefined);
  const a = withNet(plain);
  const b = withNet(plain);
  assert.equal(a, plain);
  assert.equal(a.net, b.net);
});

test('the package entry exports the stack, links, clocks and the net API', () => {
  for (const k of ['Stack', 'MemoryLink', 'VirtualClock', 'RealClock', 'createStack', 'withNet', 'createNet', 'Socket', 'Server', 'TcpSocket', 'TCP_STATES'] as const) {
    assert.ok((synack as Record<string, unknown>)[k], k);
  }
  assert.equal(typeof synack.net.createNet, 'function');
  assert.equal(MemoryLink, synack.MemoryLink);
});

test('a synack Socket is usable where a node:net Socket is expected (checked by the compiler) and is a stream.Duplex', async () => {
  const n = virtualNet();
  const s = n.a.net.connect(9, '10.0.0.2');
  const asNode: nodeNet.Socket = s; // structural: every member of net.Socket's type exists with a compatible shape
  assert.ok(asNode instanceof Socket);
  assert.equal(typeof asNode.pipe, 'function');
  s.on('error', () => {});
  s.destroy();
});

test('layer rule (DESIGN.md): only net/ (and cli/ above it) imports net/ or node:stream', () => {
  const root = fileURLToPath(new URL('../../src/', import.meta.url));
  const offenders: string[] = [];
  let checked = 0;
  for (const dir of ['stack', 'tcp', 'wire', 'util', 'link', 'observe', 'sim']) {
    let files: string[];
    try {
      files = readdirSync(root + dir, { recursive: true }) as string[];
    } catch {
      continue; // a layer that does not exist (yet)
    }
    for (const f of files) {
      if (!f.endsWith('.js')) continue;
      checked++;
      const text = readFileSync(`${root}${dir}/${f}`, 'utf8');
      if (/(?:from|import\()\s*['"](?:(?:\.\.\/)+net\/[^'"]*|node:stream|stream)['"]/.test(text)) offenders.push(`${dir}/${f}`);
    }
  }
  assert.ok(checked > 20, `scanned ${checked} compiled files`);
  assert.deepEqual(offenders, []);
});
