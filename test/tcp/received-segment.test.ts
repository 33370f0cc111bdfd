/**
 * The stack's receive record (segment.ts ReceivedSegment, issue 11): refilled per packet, its payload a copy
 * for short payloads and a view for long ones, the view kept while packets come in the same place of one buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY, ReceivedSegment, SMALL_PAYLOAD } from '../../src/tcp/segment.js';
import { TcpOptionFields } from '../../src/wire/tcp-options.js';

test('ReceivedSegment: header fields refilled; an empty payload is the shared EMPTY', () => {
  const seg = new ReceivedSegment();
  const f = new TcpOptionFields();
  assert.equal(seg.fill(0xfffffff0, 7, 0x12, 65535, 2, f), seg);
  seg.setPayload(new Uint8Array(60), 40, 40);
  assert.deepEqual([seg.seq, seg.ack, seg.flags, seg.window, seg.ecn, seg.payload], [0xfffffff0, 7, 0x12, 65535, 2, EMPTY]);
  assert.equal(seg.options.ts, undefined);
});

test('ReceivedSegment: a short payload is copied into the record (the packet may change), one view per length', () => {
  const seg = new ReceivedSegment();
  const packet = Uint8Array.from({ length: 40 + SMALL_PAYLOAD }, (_, i) => i);
  seg.setPayload(packet, 40, 50);
  const first = seg.payload;
  assert.notEqual(first.buffer, packet.buffer);
  packet.fill(0);
  assert.deepEqual([...seg.payload], [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
  packet[40] = 9;
  seg.setPayload(packet, 40, 50);
  assert.equal(seg.payload, first, 'the same view for the same length');
  assert.equal(seg.payload[0], 9);
  seg.setPayload(packet, 40, 40 + SMALL_PAYLOAD);
  assert.equal(seg.payload.length, SMALL_PAYLOAD);
  assert.notEqual(seg.payload.buffer, packet.buffer);
});

test('ReceivedSegment: a long payload is a view, kept while packets land in the same place of the same buffer', () => {
  const seg = new ReceivedSegment();
  const ring = new Uint8Array(4096);
  ring.fill(1, 52, 1500);
  seg.setPayload(ring.subarray(0, 1500), 52, 1500);
  const view = seg.payload;
  assert.equal(view.buffer, ring.buffer);
  assert.equal(view.byteOffset, 52);
  assert.equal(view.length, 1448);
  ring.fill(2, 52, 1500); // the next packet, in the same buffer
  seg.setPayload(ring.subarray(0, 1500), 52, 1500);
  assert.equal(seg.payload, view, 'no new view');
  assert.equal(seg.payload[0], 2);
  seg.setPayload(ring.subarray(8, 1508), 52, 1500); // elsewhere in the buffer
  assert.notEqual(seg.payload, view);
  assert.equal(seg.payload.byteOffset, 60);
  const other = new Uint8Array(1500);
  seg.setPayload(other, 52, 1500); // another buffer, same place
  assert.equal(seg.payload.buffer, other.buffer);
  seg.setPayload(other, 52, 1400); // same buffer and start, shorter
  assert.equal(seg.payload.length, 1348);
});

test('ReceivedSegment: a long payload of a packet the link gave away is owned; a short one, copied into the record, never is', () => {
  const seg = new ReceivedSegment();
  const packet = new Uint8Array(1500);
  seg.setPayload(packet, 52, 1500, true);
  assert.equal(seg.payloadOwned, true);
  seg.setPayload(packet, 52, 1500);
  assert.equal(seg.payloadOwned, false);
  seg.setPayload(packet, 52, 52 + SMALL_PAYLOAD, true);
  assert.equal(seg.payloadOwned, false);
  seg.setPayload(packet, 52, 52, true);
  assert.equal(seg.payloadOwned, false);
});
