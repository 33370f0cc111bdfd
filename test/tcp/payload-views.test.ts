/**
 * PayloadViews (issue 11: no view per segment received): a payload at a place of a link's buffer where one
 * of the same length lay before is seen through the same view; another length, another buffer or another
 * place gets a view of its own extent. ReceivedSegment.setPayload uses it for long payloads the link
 * delivers from reused buffers, and a view of its own for a packet the receiver owns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PayloadViews } from '../../src/tcp/payload-views.js';
import { ReceivedSegment, SMALL_PAYLOAD } from '../../src/tcp/segment.js';

const SLOT = 1504;

function ring(slots: number): Uint8Array {
  const b = new Uint8Array(slots * SLOT);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7) & 0xff;
  return b;
}

function assertView(v: Uint8Array, packet: Uint8Array, start: number, length: number): void {
  assert.equal(v.buffer, packet.buffer);
  assert.equal(v.byteOffset, packet.byteOffset + start);
  assert.equal(v.length, length);
}

test('the same place and length of the same buffer: the same view, however many packets later', () => {
  const views = new PayloadViews();
  const buf = ring(8);
  const first: Uint8Array[] = [];
  for (let round = 0; round < 3; round++) {
    for (let s = 0; s < 8; s++) {
      const packet = buf.subarray(s * SLOT, s * SLOT + 1500); // a fresh packet view each time, as a link makes
      const v = views.view(packet, 52, 1448);
      assertView(v, packet, 52, 1448);
      if (round === 0) first.push(v);
      else assert.equal(v, first[s], `slot ${s}, round ${round}: the view made in round 0`);
    }
  }
});

test('another length, place or buffer: a view of exactly that extent', () => {
  const views = new PayloadViews();
  const a = ring(2);
  const b = ring(2);
  const pa = a.subarray(0, 1500);
  const v1 = views.view(pa, 40, 1000);
  assertView(v1, pa, 40, 1000);
  const v2 = views.view(pa, 40, 900); // same place, shorter payload
  assertView(v2, pa, 40, 900);
  assert.notEqual(v2, v1);
  const v3 = views.view(pa, 52, 900); // another place
  assertView(v3, pa, 52, 900);
  const pb = b.subarray(0, 1500); // another buffer, same offsets
  const v4 = views.view(pb, 52, 900);
  assertView(v4, pb, 52, 900);
  assert.equal(views.view(pa, 52, 900), v3, 'two buffers alternating keep their views');
  assert.equal(views.view(pb, 52, 900), v4);
  const c = ring(1).subarray(0, 1500); // a third buffer: views still exact
  assertView(views.view(c, 52, 900), c, 52, 900);
  assertView(views.view(pa, 52, 900), pa, 52, 900);
});

test('ReceivedSegment: long payloads from a reused ring are seen through reused views with the bytes of the packet of the moment; an owned packet gets a view of its own', () => {
  const seg = new ReceivedSegment();
  const buf = ring(4);
  const seen = new Set<Uint8Array>();
  for (let k = 0; k < 40; k++) {
    const s = k % 4;
    const packet = buf.subarray(s * SLOT, s * SLOT + 1500);
    for (let i = 52; i < 1500; i++) packet[i] = (k * 13 + i) & 0xff; // the link writes the next packet there
    seg.setPayload(packet, 52, 1500);
    assert.equal(seg.payload.length, 1448);
    assert.equal(seg.payload[0], (k * 13 + 52) & 0xff);
    assert.equal(seg.payload[1447], (k * 13 + 1499) & 0xff);
    assert.equal(seg.payloadOwned, false);
    seen.add(seg.payload);
  }
  assert.equal(seen.size, 4, 'one view per place, not one per packet');
  const owned = new Uint8Array(1500);
  seg.setPayload(owned, 40, 1500, true);
  assert.equal(seg.payload.buffer, owned.buffer);
  assert.equal(seg.payload.length, 1460);
  assert.equal(seg.payloadOwned, true);
  seg.setPayload(owned, 40, 40 + SMALL_PAYLOAD, true);
  assert.notEqual(seg.payload.buffer, owned.buffer, 'a short payload is copied into the record');
  assert.equal(seg.payloadOwned, false);
});
