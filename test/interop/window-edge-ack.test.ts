/**
 * The Linux kernel, the reference for test/tcp/window-edge-ack.test.ts: a pure
 * ACK whose SEG.SEQ is exactly the kernel's right window edge (RCV.NXT +
 * RCV.WND) has its ACK field processed (tcp_sequence: !after(seq, rcv_nxt +
 * window)); one a sequence number past the edge is answered with a duplicate
 * ACK and its ACK field is not read. synack follows this (acceptability.ts).
 * Raw segments come from the TUN fixture (tun-peer.ts) to a Python listener
 * in a private namespace; no window scaling, SACK or timestamps are offered,
 * so the window field is the window in octets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { JsonLines, Netns, needKernel } from '../fixtures/netns.js';
import { craftPacket } from '../fuzz/craft.js';
import { parseTcpPacket } from '../../src/wire/packet.js';
import { ACK, SYN } from '../../src/wire/flags.js';
import type { TcpHeader } from '../../src/wire/tcp.js';

const PEER = fileURLToPath(new URL('../fixtures/tun-peer.js', import.meta.url));
const KERNEL = '10.78.0.1';
const KERNEL_ADDR = Uint8Array.from([10, 78, 0, 1]);
const LINK_ADDR = Uint8Array.from([10, 78, 0, 2]);
const KPORT = 7777;
const ISN = 1000;
const MSS_1000 = Uint8Array.from([2, 4, 0x03, 0xe8]);

/** Listens, then for each of two connections sends 100 octets and keeps it open (the namespace's cleanup ends it). */
const LISTENER = `import socket, json, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("${KERNEL}", ${KPORT}))
s.listen(4)
s.settimeout(20)
print(json.dumps({"type": "listening"}), flush=True)
cs = []
for i in range(2):
    c, _ = s.accept()
    c.sendall(b"k" * 100)
    cs.append(c)
time.sleep(20)`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('Linux processes a pure ACK at its right window edge and ignores the ACK field of one past it (the rule acceptability.ts follows)', async (t) => {
  if (!needKernel(t, ['python3', 'timeout', 'ss'])) return;
  const ns = await Netns.create('edge');
  t.after(() => ns.delete());
  const fixture = ns.spawn(process.execPath, [PEER, '--serve', '--name', 'edge0', '--addr', `${KERNEL}/24`]);
  const lines = new JsonLines(fixture);
  await lines.expect('ready', 10_000);
  const py = new JsonLines(ns.spawn('timeout', ['40', 'python3', '-c', LISTENER]));
  await py.expect('listening', 10_000);

  // Every segment the kernel sends, in order of arrival.
  const seen: TcpHeader[] = [];
  let reading = true;
  void (async () => {
    while (reading) {
      let m: { hex: string };
      try {
        m = await lines.expect<{ hex: string }>('packet', 60_000);
      } catch {
        return;
      }
      const r = parseTcpPacket(Uint8Array.from(Buffer.from(m.hex, 'hex')));
      if (r.ok) seen.push(r.value.tcp);
    }
  })();
  t.after(() => void (reading = false));
  const waitFor = async (what: string, match: (s: TcpHeader) => boolean, from = 0, ms = 5000): Promise<TcpHeader> => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) {
      const hit = seen.slice(from).find(match);
      if (hit) return hit;
    }
    throw new Error(`the kernel sent no ${what} within ${ms} ms`);
  };
  const send = (port: number, seq: number, ack: number, flags: number, options = new Uint8Array(0)): void => {
    const p = craftPacket({ src: LINK_ADDR, dst: KERNEL_ADDR, srcPort: port, dstPort: KPORT, seq: seq >>> 0, ack: ack >>> 0, flags, window: 65535, options, payload: new Uint8Array(0) });
    lines.send({ cmd: 'send', hex: Buffer.from(p).toString('hex') });
  };
  const ssLine = async (port: number): Promise<string> => ns.exec('ss', ['-tin', 'sport', `= :${KPORT}`, 'dport', `= :${port}`]);

  /** Handshake from `port`; the kernel sends 100 octets; returns its ISS and its right window edge as of that segment. */
  const open = async (port: number): Promise<{ iss: number; edge: number }> => {
    send(port, ISN, 0, SYN, MSS_1000);
    const synAck = await waitFor('SYN-ACK', (s) => s.dstPort === port && (s.flags & SYN) !== 0);
    send(port, ISN + 1, synAck.seq + 1, ACK);
    const data = await waitFor('data', (s) => s.dstPort === port && s.payload.length === 100);
    assert.equal(data.ack, ISN + 1);
    return { iss: synAck.seq, edge: (data.ack + data.window) >>> 0 };
  };

  // At the edge: the ACK of the 100 octets is taken, no duplicate ACK answers it.
  const a = await open(40001);
  let from = seen.length;
  send(40001, a.edge, a.iss + 101, ACK);
  let ss = '';
  for (const end = Date.now() + 5000; Date.now() < end && !/bytes_acked:100\b/.test(ss); await sleep(50)) ss = await ssLine(40001);
  assert.match(ss, /bytes_acked:100\b/, `the kernel took the ACK at its edge: ${ss}`);
  await sleep(300);
  assert.deepEqual(seen.slice(from).filter((s) => s.dstPort === 40001).map((s) => [s.seq, s.ack, s.payload.length]), [], 'no reply, no retransmission');

  // One past the edge: a duplicate ACK (ack = RCV.NXT), and the 100 octets stay unacknowledged.
  const b = await open(40002);
  from = seen.length;
  send(40002, b.edge + 1, b.iss + 101, ACK);
  const dup = await waitFor('duplicate ACK', (s) => s.dstPort === 40002 && s.payload.length === 0, from);
  assert.equal(dup.ack, ISN + 1);
  ss = await ssLine(40002);
  assert.doesNotMatch(ss, /bytes_acked:100\b/, `the kernel did not take the ACK past its edge: ${ss}`);
  assert.match(ss, /unacked:1\b/, ss);
});
