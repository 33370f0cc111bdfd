/**
 * Loss recovery in virtual time (RFC 8985 RACK-TLP against DupThresh/RTO): two
 * stacks in one process over a MemoryLink, one short transfer per case, the
 * figures read off the virtual clock, so they are exact and repeatable.
 *
 * - lost tail: the last three segments of a 20-segment burst are lost; the
 *   time the transfer took beyond the same transfer without loss (goal from
 *   issue 12: within 2×SRTT + 10 ms);
 * - lost segment, one SACKed after it: the last-but-one segment of the burst
 *   is lost, so only one duplicate ACK follows it (too few for DupThresh);
 * - reordering: a 5 % chance that a segment is held back 3 ms (less than
 *   reo_wnd = min_RTT/4 = 5 ms here) over 400 segments, no loss at all, so
 *   every retransmission is spurious.
 *
 * - heavy loss: 20 % random loss both ways on a 20 Mbit/s link with 0.05 ms
 *   one-way delay (RTT well under the 1 ms TSval tick), 200 kB B → A, seeds
 *   1–20 summed: RTOs, retransmissions and virtual seconds.
 *
 * `node dist/bench/recovery.js` prints one table: each case with RACK on (the
 * default), and with `rack: false` (DupThresh, RFC 6675) for comparison.
 */
import { connectPair } from './pair.js';
import { MemoryLink, type Impairment } from '../src/link/memory.js';
import type { TcpConfig } from '../src/tcp/config.js';
import { VirtualClock } from '../src/util/virtual-clock.js';
import { parseTcpPacket } from '../src/wire/packet.js';

const DELAY_MS = 10; // one way: RTT 20 ms
const MSS = 1448; // MTU 1500 less IPv4, TCP and timestamp option

interface CaseResult {
  /** Virtual ms from the first byte written to the last byte read. */
  ms: number;
  retransSegs: number;
  timeouts: number;
  lossProbes: number;
  sackReorder: number;
}

/** One transfer of `segments` full segments from A to B; `lose(k)` drops the first transmission of data segment k (0-based). */
function transfer(segments: number, tcp: Partial<TcpConfig>, lose: (k: number) => boolean, aToB: Impairment = {}): CaseResult {
  const clock = new VirtualClock();
  const firstSent = new Set<number>();
  let base: number | undefined; // first sequence number of the measured transfer
  let armed = false;
  const [linkA, linkB] = MemoryLink.pair(clock, {
    delayMs: DELAY_MS,
    seed: 7,
    aToB,
    drop: ({ packet, direction }) => {
      if (direction !== 'a->b') return false;
      const r = parseTcpPacket(packet);
      if (!r.ok) return false;
      const { tcp: h } = r.value;
      if (h.payload.length === 0 || !armed) return false;
      base ??= h.seq;
      if (firstSent.has(h.seq)) return false;
      firstSent.add(h.seq);
      return lose(Math.round(((h.seq - base) >>> 0) / MSS));
    },
  });
  const { a, b, client, server } = connectPair(clock, [linkA, linkB], tcp, 10_000);
  const srv = server;
  const bytes = segments * MSS;
  let received = 0;
  let doneAt = 0;
  srv.on('readable', () => {
    for (let d = srv.read(); d; d = srv.read()) received += d.length;
    if (received >= 1 + bytes && doneAt === 0) doneAt = clock.now();
  });
  // One exchange first, so the sender has an RTT sample (SRTT 20 ms) as on any connection in use.
  client.write(new Uint8Array(1));
  clock.advance(5 * DELAY_MS);
  armed = true;
  const t0 = clock.now();
  let sent = 0;
  const pump = (): void => {
    while (sent < bytes) {
      const n = client.write(new Uint8Array(Math.min(64 * 1024, bytes - sent)));
      if (n === 0) return;
      sent += n;
    }
  };
  client.on('writable', pump);
  pump();
  clock.advance(30_000);
  if (received !== 1 + bytes) throw new Error(`bench: received ${received} of ${1 + bytes} bytes`);
  const s = a.stats();
  const result = { ms: doneAt - t0, retransSegs: s.RetransSegs, timeouts: s.TCPTimeouts, lossProbes: s.TCPLossProbes, sackReorder: s.TCPSACKReorder };
  a.close();
  b.close();
  return result;
}

/** The heavy-loss case: `seeds` transfers of 200 kB B → A at 20 % loss both ways, 0.05 ms one way; sums. */
function heavyLoss(tcp: Partial<TcpConfig>, seeds: number): { seconds: number; timeouts: number; retransSegs: number } {
  const bytes = 200_000;
  const sum = { seconds: 0, timeouts: 0, retransSegs: 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    const clock = new VirtualClock();
    const links = MemoryLink.pair(clock, { delayMs: 0.05, seed, loss: 0.2, rateBps: 20e6 });
    const { a, b, client, server } = connectPair(clock, links, tcp, 60_000);
    let got = 0;
    let doneAt: number | undefined;
    client.on('readable', () => {
      for (let d = client.read(); d; d = client.read()) got += d.length;
      if (got >= bytes && doneAt === undefined) doneAt = clock.now();
    });
    const t0 = clock.now();
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        const n = server.write(new Uint8Array(Math.min(16384, bytes - sent)));
        if (n === 0) return;
        sent += n;
      }
    };
    server.on('writable', pump);
    pump();
    clock.runUntilIdle({ maxTime: clock.now() + 600_000 });
    if (doneAt === undefined) throw new Error(`bench: heavy loss, seed ${seed}: received ${got} of ${bytes} bytes`);
    const s = b.stats();
    sum.seconds += (doneAt - t0) / 1000;
    sum.timeouts += s.TCPTimeouts;
    sum.retransSegs += s.RetransSegs;
    a.close();
    b.close();
  }
  return sum;
}

function main(): void {
  const modes: Array<[string, Partial<TcpConfig>]> = [
    ['RACK-TLP (default)', {}],
    ['DupThresh + TLP (rack: false)', { rack: false }],
  ];
  const rows: string[] = [];
  const row = (...cells: string[]) => rows.push(cells.map((c, i) => (i === 0 ? c.padEnd(44) : i === 1 ? c.padEnd(30) : c.padStart(9))).join(' '));
  row('case', 'loss detection', 'extra ms', 'rtx', 'RTOs', 'probes', 'reorder');
  for (const [mode, tcp] of modes) {
    const base = transfer(20, tcp, () => false);
    const tail = transfer(20, tcp, (k) => k >= 17);
    row('lost tail (last 3 of 20)', mode, (tail.ms - base.ms).toFixed(1), String(tail.retransSegs), String(tail.timeouts), String(tail.lossProbes), String(tail.sackReorder));
    const one = transfer(20, tcp, (k) => k === 18);
    row('one loss, one segment SACKed after it', mode, (one.ms - base.ms).toFixed(1), String(one.retransSegs), String(one.timeouts), String(one.lossProbes), String(one.sackReorder));
    const big = transfer(400, tcp, () => false);
    const reo = transfer(400, tcp, () => false, { reorder: 0.05, reorderDelayMs: 3 });
    row('reordering 5 % by 3 ms, no loss (400 segs)', mode, (reo.ms - big.ms).toFixed(1), String(reo.retransSegs), String(reo.timeouts), String(reo.lossProbes), String(reo.sackReorder));
  }
  const seeds = 20;
  const heavy: string[] = [];
  for (const [mode, tcp] of modes) {
    const h = heavyLoss(tcp, seeds);
    heavy.push(`${'heavy loss: 20 % both ways, 0.05 ms one way'.padEnd(44)} ${mode.padEnd(30)} ${h.seconds.toFixed(1).padStart(9)} s ${String(h.retransSegs).padStart(7)} rtx ${String(h.timeouts).padStart(5)} RTOs`);
  }
  console.log(`loss recovery, virtual time, RTT ${2 * DELAY_MS} ms (goal for the lost tail: ≤ 2×SRTT + 10 ms = ${4 * DELAY_MS + 10} ms extra)`);
  for (const r of rows) console.log(r);
  console.log(`\nheavy loss, 200 kB each over seeds 1–${seeds} (20 Mbit/s), sums of virtual time, retransmitted segments and RTOs`);
  for (const r of heavy) console.log(r);
}

main();
