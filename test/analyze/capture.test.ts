import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureFormatError, type Frame } from '../../src/analyze/capture/frame.js';
import { ipPayload } from '../../src/analyze/capture/link-layer.js';
import { parserFor, readCaptureBytes } from '../../src/analyze/capture/read-capture.js';
import { decodeTcp, type TcpPacket } from '../../src/analyze/capture/tcp-frame.js';
import { frame, ipPacket, pcapFile, pcapngFile, type Seg } from './capture-builders.js';

const v4: Seg = { t: 1_700_000_000_123.456, src: '192.0.2.1', dst: '198.51.100.7', sport: 40000, dport: 80, flags: 'SYN', seq: 1000, options: { mss: 1460 } };
const v6: Seg = { t: 1_700_000_000_200, src: '2001:db8::1', dst: '2001:db8::2', sport: 40001, dport: 443, flags: 'PSH,ACK', seq: 5, ack: 9, len: 300 };

function packets(bytes: Uint8Array): TcpPacket[] {
  const out: TcpPacket[] = [];
  readCaptureBytes(bytes, (f) => {
    const ip = ipPayload(f.linkType, f.data);
    assert.ok(ip, `link type ${f.linkType}: IP payload found`);
    const r = decodeTcp(ip, f.timeMs);
    assert.ok(r.ok, `decodes: ${r.ok ? '' : r.error}`);
    out.push(r.value);
  });
  return out;
}

function check(p: TcpPacket, s: Seg): void {
  assert.equal(p.src, s.src);
  assert.equal(p.dst, s.dst);
  assert.equal(p.srcPort, s.sport);
  assert.equal(p.dstPort, s.dport);
  assert.equal(p.seq, s.seq);
  assert.equal(p.len, s.len ?? 0);
  assert.ok(Math.abs(p.timeMs - s.t) < 0.002, `time ${p.timeMs} vs ${s.t}`);
}

for (const [linkType, name] of [
  [1, 'Ethernet'],
  [113, 'Linux SLL'],
  [276, 'Linux SLL2'],
  [0, 'NULL/loopback'],
  [101, 'RAW'],
] as const) {
  test(`pcap ${name} (link type ${linkType}): IPv4 and IPv6 TCP decoded with time, ports, seq and length`, () => {
    const bytes = pcapFile(
      [v4, v6].map((s) => ({ t: s.t, bytes: frame(linkType, ipPacket(s)) })),
      { linkType },
    );
    const ps = packets(bytes);
    assert.equal(ps.length, 2);
    check(ps[0], v4);
    check(ps[1], v6);
    assert.equal(ps[0].options.mss, 1460);
  });
}

test('Ethernet with one 802.1Q tag and with stacked 802.1ad + 802.1Q tags', () => {
  for (const vlans of [1, 2]) {
    const ps = packets(pcapFile([{ t: v4.t, bytes: frame(1, ipPacket(v4), { vlans }) }], { linkType: 1 }));
    check(ps[0], v4);
  }
});

test('big-endian pcap with nanosecond timestamps', () => {
  const ps = packets(pcapFile([{ t: v6.t + 0.000123, bytes: ipPacket(v6) }], { linkType: 101, bigEndian: true, nanos: true }));
  check(ps[0], { ...v6, t: v6.t + 0.000123 });
});

test('snaplen cut: the segment keeps its real payload length and is flagged truncated; a cut TCP header is refused', () => {
  const bytes = pcapFile([{ t: v6.t, bytes: frame(1, ipPacket(v6)) }], { linkType: 1, snaplen: 14 + 40 + 20 + 10 });
  const ps = packets(bytes);
  assert.equal(ps[0].len, 300);
  assert.equal(ps[0].truncated, true);
  const cut = pcapFile([{ t: v6.t, bytes: ipPacket(v6) }], { linkType: 101, snaplen: 50 });
  readCaptureBytes(cut, (f) => {
    const r = decodeTcp(f.data, f.timeMs);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error, 'tcp-header-truncated');
  });
});

test('the stream may be cut anywhere: pushing one byte at a time yields the same frames', () => {
  const bytes = pcapFile(
    [v4, v6, v4].map((s) => ({ t: s.t, bytes: frame(276, ipPacket(s)) })),
    { linkType: 276 },
  );
  const whole: string[] = [];
  readCaptureBytes(bytes, (f) => whole.push(`${f.timeMs}/${f.data.length}/${f.data[30]}`));
  const split: string[] = [];
  const { parser } = parserFor(bytes.subarray(0, 4), (f: Frame) => split.push(`${f.timeMs}/${f.data.length}/${f.data[30]}`));
  for (let i = 0; i < bytes.length; i++) parser.push(bytes.subarray(i, i + 1));
  assert.deepEqual(split, whole);
  assert.equal(parser.leftover, 0);
  // A capture cut in the middle of a record leaves the partial record over, not a crash.
  const { parser: p2 } = parserFor(bytes.subarray(0, 4), () => {});
  p2.push(bytes.subarray(0, bytes.length - 7));
  assert.equal(p2.frames, 2);
  assert.ok(p2.leftover > 0);
});

test('pcapng: two interfaces with different link types and resolutions, simple packet blocks, both byte orders', () => {
  for (const bigEndian of [false, true]) {
    const bytes = pcapngFile(
      [{ linkType: 1 }, { linkType: 113, tsresol: 9 }, { linkType: 101, snaplen: 0 }],
      [
        { iface: 0, t: v4.t, bytes: frame(1, ipPacket(v4)) },
        { iface: 1, t: v6.t, bytes: frame(113, ipPacket(v6)) },
      ],
      { bigEndian },
    );
    const ps = packets(bytes);
    assert.equal(ps.length, 2);
    check(ps[0], v4);
    check(ps[1], v6);
  }
  const simple = pcapngFile([{ linkType: 101 }], [
    { iface: 0, t: v4.t, bytes: ipPacket(v4) },
    { iface: 0, t: 0, bytes: ipPacket(v6), simple: true },
  ]);
  const ps = packets(simple);
  assert.equal(ps.length, 2);
  check(ps[1], { ...v6, t: ps[0].timeMs }); // a simple packet block has no timestamp: the last one is kept
});

test('not a capture, or a corrupt record length: a clear CaptureFormatError, never a crash', () => {
  assert.throws(() => readCaptureBytes(new TextEncoder().encode('GET / HTTP/1.1\r\n'), () => {}), CaptureFormatError);
  const bad = pcapFile([{ t: 0, bytes: ipPacket(v4) }], { linkType: 101 });
  new DataView(bad.buffer).setUint32(24 + 8, 0x7fffffff, true);
  assert.throws(() => readCaptureBytes(bad, () => {}), /not plausible/);
});

test('non-IP frames and unknown link types give no IP payload', () => {
  const arp = new Uint8Array(42);
  arp[12] = 0x08;
  arp[13] = 0x06;
  assert.equal(ipPayload(1, arp), undefined);
  assert.equal(ipPayload(147, ipPacket(v4)), undefined);
});
