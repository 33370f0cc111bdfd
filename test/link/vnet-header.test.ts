/**
 * struct virtio_net_hdr, as a TUN device with IFF_VNET_HDR reads and writes
 * it (vnet-header.ts): the 10-byte little-endian layout, range checks, and
 * the header synack writes before a TCP packet with a partial checksum
 * (NEEDS_CSUM over the TCP segment; TSO when the payload exceeds the segment size).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TCP_CSUM_OFFSET,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_ECN,
  VIRTIO_NET_HDR_GSO_NONE,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_GSO_TCPV6,
  VNET_HDR_LEN,
  readVnetHeader,
  vnetCsumOffset,
  vnetCsumStart,
  vnetFlags,
  vnetGsoType,
  writeTcpOffloadHeader,
  writeVnetHeader,
} from '../../src/link/tun/vnet-header.js';
import { buildTcpPacket } from '../../src/wire/packet.js';
import { ACK, PSH } from '../../src/wire/flags.js';
import { finishChecksum, onesSumRange, pseudoHeaderSum } from '../../src/wire/checksum.js';

const V4 = [Uint8Array.of(10, 0, 0, 1), Uint8Array.of(10, 0, 0, 2)] as const;
const V6 = [Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0xfd : i === 15 ? 1 : 0)), Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0xfd : i === 15 ? 2 : 0))] as const;

function tcp(addrs: readonly [Uint8Array, Uint8Array], payload: number, csumPartial: boolean): Uint8Array {
  return buildTcpPacket(addrs[0], addrs[1], { srcPort: 80, dstPort: 40000, seq: 1, ack: 2, flags: ACK | PSH, window: 100, options: { ts: { val: 1, ecr: 2 } }, payload: new Uint8Array(payload).fill(7) }, { csumPartial });
}

test('virtio_net_hdr is 10 little-endian bytes: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset', () => {
  const b = new Uint8Array(12);
  const h = { flags: 1, gsoType: 4, hdrLen: 0x0134, gsoSize: 1428, csumStart: 40, csumOffset: 16 };
  writeVnetHeader(b, 2, h);
  assert.deepEqual([...b], [0, 0, 1, 4, 0x34, 0x01, 0x94, 0x05, 40, 0, 16, 0]);
  assert.deepEqual(readVnetHeader(b, 2), h);
  assert.equal(vnetFlags(b, 2), 1);
  assert.equal(vnetCsumStart(b, 2), 40);
  assert.equal(vnetCsumOffset(b, 2), 16);
  b[3] = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
  assert.equal(vnetGsoType(b, 2), VIRTIO_NET_HDR_GSO_TCPV4, 'the ECN bit is not part of the type');
  assert.equal(VNET_HDR_LEN, 10);
});

test('virtio_net_hdr: out-of-range fields and short buffers are RangeErrors naming the field', () => {
  const ok = { flags: 0, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 };
  assert.throws(() => writeVnetHeader(new Uint8Array(10), 0, { ...ok, gsoSize: 65536 }), /gsoSize must be an integer in 0\.\.65535, got 65536/);
  assert.throws(() => writeVnetHeader(new Uint8Array(10), 0, { ...ok, flags: 256 }), /flags must be an integer in 0\.\.255/);
  assert.throws(() => writeVnetHeader(new Uint8Array(10), 0, { ...ok, csumStart: 1.5 }), /csumStart/);
  assert.throws(() => writeVnetHeader(new Uint8Array(9), 0, ok), /needs 10 bytes at 0, buffer has 9/);
  assert.throws(() => readVnetHeader(new Uint8Array(12), 3), /needs 10 bytes at 3/);
});

test('a TCP packet with a partial checksum: NEEDS_CSUM from the TCP header, TSO (TCPV4 / TCPV6) only when the payload exceeds the segment size', () => {
  for (const [addrs, l3, gso] of [
    [V4, 20, VIRTIO_NET_HDR_GSO_TCPV4],
    [V6, 40, VIRTIO_NET_HDR_GSO_TCPV6],
  ] as const) {
    const out = new Uint8Array(VNET_HDR_LEN);
    const big = tcp(addrs, 10_000, true);
    assert.equal(writeTcpOffloadHeader(out, 0, big, 1448), true);
    assert.deepEqual(readVnetHeader(out), { flags: VIRTIO_NET_HDR_F_NEEDS_CSUM, gsoType: gso, hdrLen: l3 + 32, gsoSize: 1448, csumStart: l3, csumOffset: TCP_CSUM_OFFSET });
    assert.equal(writeTcpOffloadHeader(out, 0, tcp(addrs, 1448, true), 1448), true);
    assert.deepEqual(readVnetHeader(out), { flags: VIRTIO_NET_HDR_F_NEEDS_CSUM, gsoType: VIRTIO_NET_HDR_GSO_NONE, hdrLen: l3 + 32, gsoSize: 0, csumStart: l3, csumOffset: TCP_CSUM_OFFSET }, 'one segment: checksum offload only');
    assert.equal(writeTcpOffloadHeader(out, 0, tcp(addrs, 0, true), 0), true);
    assert.equal(out[1], VIRTIO_NET_HDR_GSO_NONE, 'a bare ACK');
  }
  const cwr = tcp(V4, 10_000, true);
  cwr[33] = cwr[33]! | 0x80; // TCP flags byte: CWR
  const out = new Uint8Array(VNET_HDR_LEN);
  writeTcpOffloadHeader(out, 0, cwr, 1448);
  assert.equal(out[1], VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN, 'CWR: the ECN bit, so only the first segment keeps CWR');
  const udp = tcp(V4, 10, true);
  udp[9] = 17;
  assert.equal(writeTcpOffloadHeader(new Uint8Array(10), 0, udp, 1448), false, 'not TCP: no offload header');
  assert.equal(writeTcpOffloadHeader(new Uint8Array(10), 0, Uint8Array.of(0x45, 0, 0), 1448), false, 'too short');
});

test('csumPartial packets carry the pseudo-header sum, which the device completes to the full checksum over [csum_start, end)', () => {
  for (const addrs of [V4, V6]) {
    const partial = tcp(addrs, 3000, true);
    const full = tcp(addrs, 3000, false);
    const l3 = addrs[0].length === 4 ? 20 : 40;
    const field = (p: Uint8Array): number => (p[l3 + 16]! << 8) | p[l3 + 17]!;
    assert.equal(field(partial), pseudoHeaderSum(addrs[0], addrs[1], 6, partial.length - l3));
    // What the kernel does with NEEDS_CSUM (skb_checksum_help): sum from csum_start to the end, store the complement.
    const done = partial.slice();
    const sum = finishChecksum(onesSumRange(done, l3, done.length));
    done[l3 + 16] = sum >>> 8;
    done[l3 + 17] = sum & 0xff;
    assert.deepEqual(done, full);
  }
});
