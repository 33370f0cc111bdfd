/**
 * The first slow start of a bulk transfer over a rate-limited path with a
 * bounded drop-tail queue, with and without HyStart++ (RFC 9406), in virtual
 * time: packets the queue dropped that were sent during the first slow start
 * (before ssthresh was first set, by loss or by HyStart++'s CSS ending), the
 * window then, and the goodput of the first seconds.
 *
 *   node dist/bench/slow-start.js [--rate 100] [--rtt 40] [--queue-bdp 0.5] [--seconds 5] [--cc cubic]
 */
import { connectPair } from './pair.js';
import { pathToFileURL } from 'node:url';
import { MemoryLink } from '../src/link/memory.js';
import type { CongestionControlName } from '../src/tcp/config.js';
import { VirtualClock } from '../src/util/virtual-clock.js';

export interface SlowStartOptions {
  /** Bottleneck rate; 0 = no rate limit (and so no queue: a fixed RTT). */
  rateMbps: number;
  rttMs: number;
  /** Drop-tail queue of the bottleneck, as a fraction of the path's bandwidth-delay product. */
  queueBdp: number;
  seconds: number;
  hystart: boolean;
  congestionControl: CongestionControlName;
}

export interface SlowStartResult {
  /** Data packets (A→B) the queue dropped that were sent before ssthresh was first set. */
  lostInFirstSlowStart: number;
  /** Data packets the queue dropped over the whole run. */
  lostTotal: number;
  /** When ssthresh was first set (ms after the handshake) and the cwnd then, in segments. */
  slowStartEndMs: number | undefined;
  cwndAtEnd: number | undefined;
  /** When HyStart++ first left slow start for CSS, and when the queue first dropped a packet (ms after the handshake). */
  cssAtMs: number | undefined;
  firstLossMs: number | undefined;
  /** The sender's cwnd at the end of the run, segments. */
  cwndNow: number;
  /** Goodput over the run, Mbit/s. */
  goodputMbps: number;
  hystartDelayDetect: number;
  retransmits: number;
}

export function runSlowStart(o: SlowStartOptions): SlowStartResult {
  const clock = new VirtualClock();
  const bdp = (o.rateMbps * 1e6 * (o.rttMs / 1000)) / 8;
  const rate = o.rateMbps > 0 ? { rateBps: o.rateMbps * 1e6, queueLimitBytes: Math.round(bdp * o.queueBdp) } : {};
  const [linkA, linkB] = MemoryLink.pair(clock, { seed: 1, delayMs: o.rttMs / 2, ...rate });
  const tcp = { hystart: o.hystart, congestionControl: o.congestionControl, sendBufferSize: 8 << 20, recvBufferSize: 8 << 20 };
  const { a, b, client, server } = connectPair(clock, [linkA, linkB], tcp, 10 * o.rttMs);
  const t0 = clock.now();

  let slowStartEnd: number | undefined;
  let cwndAtEnd: number | undefined;
  let lostFirst = 0;
  let lostTotal = 0;
  let cssAt: number | undefined;
  let firstLoss: number | undefined;
  let lookedAt = -1; // the sender's state is looked at once per ms of virtual time (to keep the run cheap)
  linkA.onTap((ev) => {
    if (ev.direction !== 'a->b') return;
    const look = ev.time - lookedAt >= 1;
    if (look) lookedAt = ev.time;
    if (look && cssAt === undefined && o.hystart && a.stats().TCPHystartDelayDetect > 0) cssAt = ev.time - t0;
    if (look && slowStartEnd === undefined) {
      const i = client.info();
      if (i.ssthreshSegments !== undefined) {
        slowStartEnd = ev.time - t0;
        cwndAtEnd = i.cwndSegments;
      }
    }
    if (ev.dropped && ev.reason === 'queue') {
      firstLoss ??= ev.time - t0;
      lostTotal++;
      if (slowStartEnd === undefined) lostFirst++;
    }
  });

  const chunk = new Uint8Array(64 * 1024);
  const pump = (): void => {
    while (client.write(chunk) > 0);
  };
  client.on('writable', pump);
  let received = 0;
  const srv = server;
  srv.on('readable', () => {
    for (let d = srv.read(); d; d = srv.read()) received += d.length;
  });
  pump();
  clock.runUntilIdle({ maxTime: t0 + o.seconds * 1000 });
  const stats = a.stats();
  return {
    lostInFirstSlowStart: lostFirst,
    lostTotal,
    slowStartEndMs: slowStartEnd,
    cwndAtEnd,
    cssAtMs: cssAt,
    firstLossMs: firstLoss,
    cwndNow: client.info().cwndSegments,
    goodputMbps: (received * 8) / (o.seconds * 1000) / 1000,
    hystartDelayDetect: stats.TCPHystartDelayDetect,
    retransmits: stats.RetransSegs,
  };
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const base = {
    rateMbps: Number(arg('rate', '100')),
    rttMs: Number(arg('rtt', '40')),
    queueBdp: Number(arg('queue-bdp', '0.5')),
    seconds: Number(arg('seconds', '5')),
    congestionControl: arg('cc', 'cubic') as CongestionControlName,
  };
  console.log(`first slow start: ${base.rateMbps} Mbit/s, ${base.rttMs} ms RTT, drop-tail queue ${base.queueBdp}×BDP, ${base.congestionControl}, ${base.seconds} s`);
  console.log('hystart  lost-in-1st-SS  lost-total  SS-end(ms)  cwnd-then  delay-detect  retrans  goodput(Mbit/s)');
  for (const hystart of [false, true]) {
    const r = runSlowStart({ ...base, hystart });
    console.log(
      [
        (hystart ? 'on' : 'off').padEnd(7),
        String(r.lostInFirstSlowStart).padStart(15),
        String(r.lostTotal).padStart(11),
        (r.slowStartEndMs === undefined ? '-' : r.slowStartEndMs.toFixed(0)).padStart(11),
        String(r.cwndAtEnd ?? '-').padStart(10),
        String(r.hystartDelayDetect).padStart(13),
        String(r.retransmits).padStart(8),
        r.goodputMbps.toFixed(1).padStart(16),
      ].join(' '),
    );
  }
}
