import { test } from 'node:test';
import assert from 'node:assert/strict';
import { impairedLink } from '../../src/link/impaired.js';
import { MemoryLink } from '../../src/link/memory.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';

test('impairedLink applies the impairment model in both directions around another link', () => {
  const clock = new VirtualClock();
  const [inner, far] = MemoryLink.pair(clock); // stands in for a TUN device and the kernel behind it
  const link = impairedLink(inner, clock, { loss: 0.5, seed: 3, delayMs: 5 });
  const atFar: number[] = [];
  const atStack: number[] = [];
  far.onPacket((p) => atFar.push(p[0]!));
  link.onPacket((p) => atStack.push(p[0]!));
  for (let i = 0; i < 200; i++) {
    link.send(new Uint8Array([i & 0xff]));
    far.send(new Uint8Array([i & 0xff]));
  }
  clock.runUntilIdle();
  assert.ok(atFar.length > 60 && atFar.length < 140, `outgoing: ${atFar.length} of 200 arrived`);
  assert.ok(atStack.length > 60 && atStack.length < 140, `incoming: ${atStack.length} of 200 arrived`);
  assert.equal(link.mtu, inner.mtu);
  link.close();
  far.send(new Uint8Array([1]));
  clock.runUntilIdle();
  assert.ok(atStack.length < 140);
});
