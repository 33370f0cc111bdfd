/**
 * Real-path benchmark (issue 12): in-process transfers over the impaired, rate-limited MemoryLink,
 * in virtual time, each case run "before" (fixed 256 KiB buffers both ends: the old defaults,
 * autotuning off) and "after" (the defaults: buffer autotuning on) in the same run.
 *   - goodput at 100 ms RTT on 1 Gbit/s (the window-limited case autotuning is for);
 *   - goodput at 1 % random loss, 10 ms RTT, against the same path lossless;
 *   - time to recover a lost tail (goal: within 2×SRTT + 10 ms of the tail's first send, plus its one-way trip);
 *   - a reordering path: spurious retransmissions (copies the receiver already held: its D-SACKs), with the
 *     rate limiter's queue drops and the receiver's own drops of out-of-order data apart.
 * Figures are virtual time: they measure the TCP (windows, loss recovery), not the CPU.
 * `npm run bench` runs it; `node dist/bench/run.js --paths [--quick]` runs only it (JSON: bench/results/real-paths.json).
 */
import type { TcpConfig } from '../src/tcp/config.js';
import { runPath, type PathOptions, type PathResult } from './real-path.js';

const MiB = 1 << 20;
const MSS = 1448;

/** Autotuning off: SO_RCVBUF/SO_SNDBUF fixed at the old 256 KiB defaults. */
const BEFORE: Partial<TcpConfig> = { recvBufferSize: 256 * 1024, sendBufferSize: 256 * 1024 };
/** The defaults: autotuning from tcp_rmem[1]/tcp_wmem[1] up to tcp_rmem[2] = 32 MiB, tcp_wmem[2] = 4 MiB (Linux 6.18). */
const AFTER: Partial<TcpConfig> = {};
/** A host tuned for long fat paths (sysctls raised): tcp_rmem[2] = 16 MiB, tcp_wmem[2] = 32 MiB. */
const TUNED: Partial<TcpConfig> = { rmem: [4096, 131072, 16 * MiB], wmem: [4096, 16384, 32 * MiB] };

interface Row {
  case: string;
  variant: string;
  figure: string;
  value: number;
  unit: string;
  goal?: string;
  detail: Record<string, number>;
}

export function runRealPaths(quick: boolean): Row[] {
  const rows: Row[] = [];
  const mbps = (r: PathResult): number => Math.round(r.goodputBps / 1e4) / 100;
  const detail = (r: PathResult): Record<string, number> => ({
    goodputMbps: mbps(r),
    steadyMbps: Math.round(r.steadyGoodputBps / 1e4) / 100,
    elapsedMs: Math.round(r.elapsedMs),
    retransmits: r.retransmits,
    spurious: r.spuriousRetransmits,
    wireDuplicates: r.wireDuplicates,
    receiverDrops: r.receiverDrops,
    queueDrops: r.queueDrops,
    pathDrops: r.pathDrops,
    timeouts: r.timeouts,
    rcvBuf: r.rcvBuf,
    sndBuf: r.sndBuf,
    srttMs: Math.round(r.srttMs * 10) / 10,
  });
  const variants: Array<[string, Partial<TcpConfig>]> = [
    ['before (fixed 256 KiB)', BEFORE],
    ['after (autotuning)', AFTER],
  ];

  // 1. Long fat path.
  const lfn: Omit<PathOptions, 'tcp'> = { rateBps: 1e9, rttMs: 100, bytes: (quick ? 32 : 96) * MiB };
  for (const [name, tcp] of [...variants, ['after, tuned host (rmem[2] 16 MiB, wmem[2] 32 MiB)', TUNED] as [string, Partial<TcpConfig>]]) {
    const r = runPath({ ...lfn, tcp });
    rows.push({ case: '100 ms RTT, 1 Gbit/s', variant: name, figure: 'goodput, whole transfer', value: mbps(r), unit: 'Mbit/s', goal: '≥ 800', detail: detail(r) });
    rows.push({ case: '100 ms RTT, 1 Gbit/s', variant: name, figure: 'goodput, 2nd half', value: detail(r).steadyMbps!, unit: 'Mbit/s', goal: '≥ 800', detail: detail(r) });
  }

  // 2. Random loss against the same path lossless.
  const lossy: Omit<PathOptions, 'tcp'> = { rateBps: 100e6, rttMs: 10, bytes: (quick ? 8 : 32) * MiB, seed: 7 };
  for (const [name, tcp] of variants) {
    const clean = runPath({ ...lossy, tcp });
    const r = runPath({ ...lossy, loss: 0.01, tcp });
    rows.push({ case: '1 % loss, 10 ms RTT, 100 Mbit/s', variant: name, figure: 'goodput lossless', value: mbps(clean), unit: 'Mbit/s', detail: detail(clean) });
    rows.push({ case: '1 % loss, 10 ms RTT, 100 Mbit/s', variant: name, figure: 'goodput at 1 % loss', value: mbps(r), unit: 'Mbit/s', detail: detail(r) });
    rows.push({ case: '1 % loss, 10 ms RTT, 100 Mbit/s', variant: name, figure: 'lossy vs lossless', value: Math.round((r.goodputBps / clean.goodputBps) * 1000) / 10, unit: '%', goal: '≥ 80', detail: { ...detail(r), losslessMbps: mbps(clean) } });
  }

  // 3. A lost tail: the last 1 or 3 segments of a 20-segment burst lose their first transmission.
  for (const lost of [1, 3]) {
    for (const [name, tcp] of variants) {
      const segs = 20;
      const r = runPath({ rateBps: 100e6, rttMs: 10, bytes: segs * MSS, tcp, dropData: (i) => i > segs - lost && i <= segs });
      // Time beyond a lossless delivery (its one-way trip), against the goal 2×SRTT + 10 ms.
      const extra = r.lastFirstSendToDoneMs - 5;
      rows.push({ case: `lost tail of ${lost}, 10 ms RTT`, variant: name, figure: 'recovery time beyond 1-way', value: Math.round(extra * 10) / 10, unit: 'ms', goal: `≤ 2×SRTT + 10 = ${(2 * r.srttMs + 10).toFixed(1)}`, detail: detail(r) });
    }
  }

  // 4. Reordering: 1 % of packets held back 3 ms (a third of the RTT).
  const reorder: Omit<PathOptions, 'tcp'> = { rateBps: 100e6, rttMs: 10, bytes: (quick ? 8 : 32) * MiB, reorder: 0.01, reorderDelayMs: 3, seed: 3 };
  for (const [name, tcp] of variants) {
    const r = runPath({ ...reorder, tcp });
    // Spurious: copies B already held (its D-SACKs). Queue drops (slow start overshooting the link's queue) and
    // B's own drops of out-of-order data are losses, reported apart, and their retransmissions are needed.
    rows.push({ case: 'reordering 1 % by 3 ms, 10 ms RTT', variant: name, figure: 'spurious retransmissions', value: r.spuriousRetransmits, unit: 'segments', goal: '0 after adaptation', detail: detail(r) });
    rows.push({ case: 'reordering 1 % by 3 ms, 10 ms RTT', variant: name, figure: 'queue drops (congestion)', value: r.queueDrops, unit: 'packets', detail: detail(r) });
    rows.push({ case: 'reordering 1 % by 3 ms, 10 ms RTT', variant: name, figure: 'receiver OFO/window drops', value: r.receiverDrops, unit: 'segments', detail: detail(r) });
  }
  return rows;
}

export function printRows(rows: Row[]): void {
  const w = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
  console.log(`${w('case', 36)}${w('variant', 52)}${w('figure', 28)}${w('value', 16)}goal`);
  for (const r of rows) {
    console.log(`${w(r.case, 36)}${w(r.variant, 52)}${w(r.figure, 28)}${w(`${r.value} ${r.unit}`, 16)}${r.goal ?? ''}`);
  }
}
