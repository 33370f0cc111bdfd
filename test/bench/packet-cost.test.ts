/**
 * bench/packet-cost.ts attributes each allocation sample to the send or the receive path by the
 * frames on its stack. Those frames are function names in src/: a rename would silently move the
 * whole packet path into "application". This pins that both paths are seen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measurePacketCost } from '../../bench/packet-cost.js';

test('packet-cost: allocations land on the send and the receive path, not in "application"', async () => {
  const c = await measurePacketCost(1500, 2 << 20);
  assert.ok(c.segmentsSent > 1000, `segments ${c.segmentsSent}`);
  // Every segment sent allocates at least the link's copy (its ArrayBuffer object) and the receiver's view of it.
  assert.ok(c.allocPerSegmentSent > 0 && c.allocPerSegmentReceived > 0, JSON.stringify(c));
  // The bench's own writes and reads are a small part; most of it is the packet path.
  assert.ok(c.allocPerSegmentApplication < c.allocPerSegmentSent + c.allocPerSegmentReceived, JSON.stringify(c));
  assert.ok(c.topCpu.length > 0 && c.topAllocators.length > 0);
});
