/**
 * TCP-BEHAVIOR P6 through the stack: ICMP / ICMPv6 errors are counted,
 * routed to the connection their quoted 4-tuple names and acted on (RFC
 * 5927, RFC 1191, RFC 8201), over a MemoryLink whose path has a narrower hop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twoStacks, type TwoStacks } from '../helpers/two-stacks.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import { buildIcmpError, parseIpv4, parseTcpPacket } from '../../src/wire/index.js';
import type { PairOptions } from '../../src/link/memory.js';
import { ROUTER_V4 } from '../../src/link/path-mtu.js';
import { mssForPathMtu } from '../../src/stack/icmp-input.js';

const SIZE = 200_000;

/** A sends SIZE patterned bytes to B and closes; B collects them. */
function transfer(n: TwoStacks, v6 = false): { client: TcpSocket; received: () => Uint8Array; errors: string[] } {
  const chunks: Uint8Array[] = [];
  const errors: string[] = [];
  n.b.listen(80).on('connection', (s: TcpSocket) => {
    s.on('readable', () => {
      for (let d = s.read(); d; d = s.read()) chunks.push(d);
    });
    s.on('end', () => s.close());
  });
  const client = n.a.connect({ remoteAddress: v6 ? 'fd00::2' : '10.0.0.2', remotePort: 80 });
  client.on('error', (e: { code: string }) => errors.push(e.code));
  const data = pattern(SIZE);
  let off = 0;
  const pump = (): void => {
    while (off < data.length) {
      const k = client.write(data.subarray(off));
      if (k === 0) return;
      off += k;
    }
    client.shutdown();
  };
  client.on('connect', pump);
  client.on('writable', pump);
  return { client, received: () => Buffer.concat(chunks), errors };
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff;
  return b;
}

/** The payload lengths of A's data segments, in order. */
function payloads(n: TwoStacks): number[] {
  return n.trace.flatMap((e) => (e.type === 'segment' && e.stack === 'A' && e.dir === 'out' && e.len > 0 ? [e.len] : []));
}

function narrowPath(icmp: boolean): PairOptions {
  return { delayMs: 5, aToB: { pathMtu: 1280, pathMtuIcmp: icmp } };
}

test('P6 IPv4 with ICMP: the hop of MTU 1280 answers frag-needed, A drops to MSS 1228 (1240 less timestamps) at once, no timeout, every byte arrives', () => {
  const n = twoStacks({ link: narrowPath(true) });
  const t = transfer(n);
  n.settle();
  assert.deepEqual(Buffer.compare(Buffer.from(t.received()), Buffer.from(pattern(SIZE))), 0, 'byte-exact');
  assert.deepEqual(t.errors, []);
  const lens = payloads(n);
  assert.ok(lens.includes(1228), 'MSS 1228 after the ICMP');
  assert.ok(lens.includes(1448), 'the first flight went out at MSS 1448');
  assert.equal(Math.max(...lens.slice(lens.indexOf(1228))), 1228, 'nothing bigger after the drop');
  const a = n.a.stats();
  assert.ok(a.IcmpInMsgs > 0 && a.IcmpInDestUnreachs === a.IcmpInMsgs, JSON.stringify(a));
  assert.equal(a.IcmpInErrors, 0);
  assert.equal(a.OutOfWindowIcmps, 0);
  assert.equal(a.TCPTimeouts, 0, 'ICMP made the retransmission, not the RTO');
  assert.deepEqual(n.states('A').at(-1), 'TIME_WAIT>CLOSED');
});

test('P6 IPv6 with ICMPv6 Packet Too Big 1280: MSS 1208 (1280 − 60 − 12), byte-exact, Icmp6 counters', () => {
  const n = twoStacks({ v6: true, link: narrowPath(true) });
  const t = transfer(n, true);
  n.settle();
  assert.equal(Buffer.compare(Buffer.from(t.received()), Buffer.from(pattern(SIZE))), 0);
  const lens = payloads(n);
  assert.ok(lens.includes(1428) && lens.includes(1208), [...new Set(lens)].join(','));
  const a = n.a.stats();
  assert.ok(a.Icmp6InPktTooBigs > 0 && a.Icmp6InMsgs === a.Icmp6InPktTooBigs);
  assert.equal(a.IcmpInMsgs, 0);
  assert.equal(a.TCPTimeouts, 0);
});

test('P6 no ICMP (a black hole): 3 s into its timeouts (the 5th at a 200 ms RTO) A falls to tcp_base_mss 1024 (1012 with timestamps), probes upward, and every byte arrives', () => {
  const n = twoStacks({ link: narrowPath(false) });
  const t = transfer(n);
  n.settle();
  assert.equal(Buffer.compare(Buffer.from(t.received()), Buffer.from(pattern(SIZE))), 0);
  const a = n.a.stats();
  assert.equal(a.IcmpInMsgs, 0);
  assert.ok(a.TCPTimeouts >= 5, `timeouts ${a.TCPTimeouts}`);
  const lens = payloads(n);
  assert.ok(lens.includes(1012), 'tcp_base_mss after the black hole');
  assert.ok(a.TCPMTUPSuccess > 0, `probes acknowledged: ${a.TCPMTUPSuccess}`);
  assert.ok(lens.some((l) => l > 1012 && l <= 1228), 'a probe over base MSS within the path got through');
  assert.ok(n.linkA.stats.dropped > 0);
});

test('P6 mtuProbing 0 and no ICMP: the black hole holds; the transfer fails with ETIMEDOUT (as Linux with tcp_mtu_probing=0)', () => {
  const n = twoStacks({ link: narrowPath(false), tcpA: { mtuProbing: 0, retries2: 5 } });
  const t = transfer(n);
  n.settle();
  assert.deepEqual(t.errors, ['ETIMEDOUT']);
  assert.ok(!payloads(n).some((l) => l < 1448 && l > 1000), 'never a smaller full segment');
});

test('R6 / RFC 5927: bad ICMPs are counted as InErrors, ICMPs quoting no connection too, and an out-of-window quote as OutOfWindowIcmps', () => {
  const n = twoStacks({ link: { delayMs: 5 } });
  const t = transfer(n);
  const captured: Uint8Array[] = [];
  n.linkA.onTap((ev) => {
    if (!ev.dropped && ev.direction === 'a->b') captured.push(ev.packet.slice());
  });
  n.clock.schedule(25, () => {
    const data = captured.find((p) => (parseTcpPacket(p).ok ? (parseTcpPacket(p) as { ok: true; value: { tcp: { payload: Uint8Array } } }).value.tcp.payload.length > 0 : false))!;
    assert.ok(data, 'a data segment was captured');
    const good = buildIcmpError(ROUTER_V4, data, 'packet-too-big', 1400);
    const bad = good.slice();
    bad[25] ^= 1;
    n.linkB.send(bad);
    // Sequence number far outside the window.
    const old = data.slice();
    old[24] ^= 0x80;
    n.linkB.send(buildIcmpError(ROUTER_V4, old, 'host-unreachable'));
    // Another port: no connection.
    const other = data.slice();
    other[20] ^= 0x01;
    n.linkB.send(buildIcmpError(ROUTER_V4, other, 'port-unreachable'));
  });
  n.settle();
  const a = n.a.stats();
  assert.equal(a.IcmpInMsgs, 3);
  assert.equal(a.IcmpInCsumErrors, 1);
  assert.equal(a.IcmpInErrors, 2, 'the bad checksum and the unmatched quote');
  assert.equal(a.OutOfWindowIcmps, 1);
  assert.deepEqual(t.errors, [], 'nothing reached the application');
  assert.equal(Buffer.compare(Buffer.from(t.received()), Buffer.from(pattern(SIZE))), 0);
});

test('O6 over ICMP: a SYN answered by port unreachable fails connect() with ECONNREFUSED at once (Linux tcp_v4_err)', () => {
  const n = twoStacks({ link: { delayMs: 5, drop: ({ packet, direction }) => direction === 'a->b' && answerUnreachable(n, packet) } });
  const errors: string[] = [];
  const s = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 9 });
  s.on('error', (e: { code: string }) => errors.push(e.code));
  n.settle();
  assert.deepEqual(errors, ['ECONNREFUSED']);
  assert.deepEqual(n.states('A'), ['CLOSED>SYN_SENT', 'SYN_SENT>CLOSED']);
  assert.equal(n.a.stats().TCPTimeouts, 0);
});

function answerUnreachable(n: TwoStacks, packet: Uint8Array): boolean {
  n.clock.schedule(n.clock.now() + 5, () => n.linkB.send(buildIcmpError(new Uint8Array([10, 0, 0, 2]), packet, 'port-unreachable')));
  return true;
}

test('RFC 1191: every IPv4 packet the stack sends has DF set', () => {
  const n = twoStacks({ link: { delayMs: 1 } });
  const flags: boolean[] = [];
  for (const l of [n.linkA, n.linkB]) l.onTap((ev) => flags.push(parseIpv4(ev.packet).ok && (parseIpv4(ev.packet) as { ok: true; value: { dontFragment: boolean } }).value.dontFragment));
  transfer(n);
  n.settle();
  assert.ok(flags.length > 100);
  assert.ok(flags.every((f) => f));
});

test('Linux min_pmtu: a frag-needed below 552 is taken as 552 (MSS 512); an IPv6 Packet Too Big below 1280 as 1280 (MSS 1220)', () => {
  assert.equal(mssForPathMtu(4, 1280), 1240);
  assert.equal(mssForPathMtu(4, 300), 512);
  assert.equal(mssForPathMtu(4, 0), 512, 'an old router that leaves the MTU out (RFC 1191 §4)');
  assert.equal(mssForPathMtu(6, 1400), 1340);
  assert.equal(mssForPathMtu(6, 600), 1220);
});
