import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLink } from '../../src/link/memory.js';
import { LINKTYPE_RAW, PCAP_HEADER_BYTES, PCAP_MAGIC_USEC, PcapWriter, parsePcap, tapLink } from '../../src/link/pcap.js';
import { PcapFileWriter } from '../../src/link/pcap-file.js';
import { Stack } from '../../src/stack/stack.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';
import { flagsToString } from '../../src/wire/flags.js';
import { parseTcpPacket } from '../../src/wire/packet.js';
import { needTools } from '../fixtures/netns.js';

function collect(): { chunks: Uint8Array[]; bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    chunks,
    bytes() {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let off = 0;
      for (const c of chunks) {
        all.set(c, off);
        off += c.length;
      }
      return all;
    },
  };
}

test('global header: LE magic a1b2c3d4, version 2.4, zone 0, snaplen, LINKTYPE_RAW', () => {
  const out = collect();
  new PcapWriter((c) => out.chunks.push(c), { snaplen: 65535 });
  const h = out.bytes();
  assert.equal(h.length, PCAP_HEADER_BYTES);
  assert.deepEqual([...h], [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0]);
});

test('records carry second/microsecond timestamps, lengths and the bytes; snaplen truncates but keeps orig_len', () => {
  const out = collect();
  const w = new PcapWriter((c) => out.chunks.push(c), { snaplen: 8 });
  const p1 = Uint8Array.from([0x45, 1, 2, 3]);
  const p2 = Uint8Array.from([0x60, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  w.write(p1, 1_700_000_000_123.456); // ms since epoch
  w.write(p2, 2.5);
  p1[1] = 99; // the writer copied the bytes at write time
  assert.equal(w.packets, 2);
  const f = parsePcap(out.bytes());
  assert.equal(f.linkType, LINKTYPE_RAW);
  assert.equal(f.snaplen, 8);
  assert.equal(f.nanosecond, false);
  assert.equal(f.records.length, 2);
  const [r1, r2] = f.records;
  assert.deepEqual([...r1!.data], [0x45, 1, 2, 3]);
  assert.equal(r1!.origLen, 4);
  assert.equal(r1!.timeMs, 1_700_000_000_123.456);
  const v = new DataView(out.chunks[1]!.buffer);
  assert.equal(v.getUint32(0, true), 1_700_000_000);
  assert.equal(v.getUint32(4, true), 123_456);
  assert.equal(r2!.data.length, 8);
  assert.equal(r2!.origLen, 11);
  assert.equal(r2!.timeMs, 2.5);
  w.close();
  w.write(p1);
  assert.equal(w.packets, 2, 'ignored after close');
});

test('parsePcap reads big-endian files and rejects garbage', () => {
  const be = new Uint8Array(24 + 16 + 2);
  const v = new DataView(be.buffer);
  v.setUint32(0, PCAP_MAGIC_USEC, false);
  v.setUint16(4, 2, false);
  v.setUint16(6, 4, false);
  v.setUint32(16, 100, false);
  v.setUint32(20, 101, false);
  v.setUint32(24, 3, false);
  v.setUint32(28, 7, false);
  v.setUint32(32, 2, false);
  v.setUint32(36, 2, false);
  be[40] = 0x45;
  const f = parsePcap(be);
  assert.equal(f.linkType, 101);
  assert.equal(f.records[0]!.timeMs, 3000.007);
  assert.throws(() => parsePcap(new Uint8Array(24)), /bad magic/);
  assert.throws(() => parsePcap(be.subarray(0, 41)), /truncated/);
});

/** A three-way handshake and a few bytes between two stacks, A's link tapped. */
function capturedHandshake(writer: PcapWriter, clock: VirtualClock): void {
  const [la, lb] = MemoryLink.pair(clock, { delayMs: 5 });
  const a = new Stack({ clock, name: 'A', seed: 1 });
  const b = new Stack({ clock, name: 'B', seed: 2 });
  a.attach(tapLink(la, writer), { address: '10.0.0.1' });
  b.attach(lb, { address: '10.0.0.2' });
  b.listen(80).on('connection', (s) => s.write(new TextEncoder().encode('hi')));
  a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  clock.runUntilIdle({ maxTime: 1000 });
}

test('tapLink records what the stack sends and receives, in order, at the clock time', () => {
  const clock = new VirtualClock();
  const out = collect();
  const w = new PcapWriter((c) => out.chunks.push(c), { now: () => clock.now() });
  capturedHandshake(w, clock);
  const f = parsePcap(out.bytes());
  const summary = f.records.map((r) => {
    const p = parseTcpPacket(r.data);
    assert.ok(p.ok);
    return `${r.timeMs} ${p.value.tcp.srcPort === 80 ? '<' : '>'} ${flagsToString(p.value.tcp.flags)} ${p.value.tcp.payload.length}`;
  });
  assert.deepEqual(summary.slice(0, 4), ['0 > SYN 0', '10 < SYN,ACK 0', '10 > ACK 0', '20 < PSH,ACK 2']);
});

test('tapLink keeps the wrapped link\'s mtu and closes it (and the writer only when asked)', () => {
  const clock = new VirtualClock();
  const [la] = MemoryLink.pair(clock, { mtu: 1280 });
  let sinkClosed = 0;
  const w = new PcapWriter({ write() {}, close: () => sinkClosed++ });
  const t1 = tapLink(la, w);
  assert.equal(t1.mtu, 1280);
  t1.close();
  assert.equal(sinkClosed, 0);
  const [lc] = MemoryLink.pair(clock);
  tapLink(lc, w, { closeWriter: true }).close();
  assert.equal(sinkClosed, 1);
});

test('PcapFileWriter writes a file that parses back, and tcpdump reads it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-pcap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'handshake.pcap');
  const clock = new VirtualClock();
  const w = new PcapFileWriter(path, { now: () => 1_700_000_000_000 + clock.now(), flushBytes: 100 });
  capturedHandshake(w, clock);
  w.close();
  const f = parsePcap(readFileSync(path));
  assert.ok(f.records.length >= 4);
  assert.equal(f.records[0]!.timeMs, 1_700_000_000_000);

  await t.test('tcpdump -r', async (st) => {
    if (!needTools(st, ['tcpdump'])) return;
    const out = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile('tcpdump', ['-nn', '-r', path], { timeout: 10_000 }, (err, stdout, stderr) => {
        resolve({ stdout: String(stdout), stderr: `${String(stderr)}${err ? ` ${err.message}` : ''}` });
      });
    });
    const lines = out.stdout.trim().split('\n');
    assert.equal(lines.length, f.records.length, out.stderr);
    assert.match(out.stderr, /link-type RAW/);
    assert.match(lines[0]!, /IP 10\.0\.0\.1\.\d+ > 10\.0\.0\.2\.80: Flags \[S\]/);
    assert.match(lines[1]!, /IP 10\.0\.0\.2\.80 > 10\.0\.0\.1\.\d+: Flags \[S\.\]/);
    assert.match(lines[3]!, /Flags \[P\.\].*length 2/);
  });
});
