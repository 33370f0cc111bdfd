/**
 * What must hold after every packet, whatever arrived (issue 10 §2), and the
 * stated bounds on what a peer can make one connection hold:
 *  - SND.UNA ≤ SND.NXT ≤ SND.MAX, and the flight fits the send buffer (+ SYN + FIN);
 *  - the right edge of the receive window never moves left (RFC 9293 §3.8.6.2.2),
 *    and RCV.NXT never passes it;
 *  - receive memory: every buffer the receive and reassembly queues keep
 *    alive, together, at most receiveMemoryBound(SO_RCVBUF) (receive-queue.ts:
 *    the buffer + 1/15 + a 64 KiB page at each end) — whatever the segment
 *    sizes (R9); the bytes queued at most the window offered;
 *  - SACK scoreboard: at most MAX_SACK_ISLANDS (256, the scoreboard's cap) islands, whatever blocks arrive;
 *  - send memory: queued ≤ SO_SNDBUF; allocated ≤ SO_SNDBUF + 64 KiB mirror (send-buffer.ts);
 *  - timers only where the state needs them: SYN_SENT/SYN_RCVD retransmit;
 *    data or FIN outstanding ⇒ the retransmission or persist timer runs (or
 *    nothing would ever resend it); the FIN_WAIT_2 timer only for an orphan in
 *    FIN_WAIT_2; the persist timer only in states that send data; TIME_WAIT
 *    always has its 2MSL deadline; keepalive only when asked for;
 *  - per stack: SYN and accept queues within the backlog; no CLOSED TCB left in the table.
 */
import type { Connection } from '../../src/tcp/connection.js';
import type { Stack } from '../../src/stack/stack.js';
import { seqDiff, seqGe, seqLe } from '../../src/tcp/seq.js';
import { MAX_SACK_ISLANDS } from '../../src/tcp/sack-scoreboard.js';
import { receiveMemoryBound } from '../../src/tcp/receive-queue.js';
import { entries, entryCount, isTcb, listeners, memory, tcb, type EntryView } from './probe.js';

export const SEND_MIRROR = 64 * 1024;

const SYNCHRONIZED = new Set(['SYN_RCVD', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT']);
const SENDS_DATA = new Set(['ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1', 'LAST_ACK', 'CLOSING']);

export class Invariants {
  /** Last right edge seen per TCB (once synchronized). */
  private readonly edges = new WeakMap<Connection, number>();

  constructor(private readonly maxEntries: (stack: Stack) => number) {}

  /** Every TCB of the stack, and its tables. Returns a description of the first violation, or undefined. */
  check(stack: Stack, now: number): string | undefined {
    const p = this.checkTables(stack);
    if (p) return p;
    for (const e of entries(stack)) {
      const q = this.checkEntry(stack, e, now);
      if (q) return q;
    }
    return undefined;
  }

  /** The stack's tables: TCB count, SYN and accept queues. */
  checkTables(stack: Stack): string | undefined {
    const n = entryCount(stack);
    if (n > this.maxEntries(stack)) return `stack ${stack.name}: ${n} TCBs, more than the bound ${this.maxEntries(stack)}`;
    for (const l of listeners(stack)) {
      if (l.synQueued > l.backlog) return `stack ${stack.name}: SYN queue ${l.synQueued} > backlog ${l.backlog}`;
      if (l.acceptQueue.length > l.backlog) return `stack ${stack.name}: accept queue ${l.acceptQueue.length} > backlog ${l.backlog}`;
    }
    return undefined;
  }

  /** One TCB (full or TIME_WAIT record). */
  checkEntry(stack: Stack, e: EntryView, now: number): string | undefined {
    const c = e.conn;
    const where = `stack ${stack.name} :${e.localPort}<-:${e.remotePort} ${c.state}`;
    if (c.state === 'CLOSED' || c.state === 'LISTEN') return `${where}: a ${c.state} TCB left in the table`;
    if (!isTcb(c)) return c.nextDeadline === undefined ? `${where}: TIME_WAIT record without its 2MSL timer` : undefined;
    const problem = this.checkTcb(c, now);
    return problem ? `${where}: ${problem}` : undefined;
  }

  private checkTcb(c: Connection, now: number): string | undefined {
    const v = tcb(c);
    // The buffers now: SO_SNDBUF/SO_RCVBUF when set, else as autotuning grew them (buffer-autotune.ts).
    const sndBuf = c.sendBufferSize;
    const rcvBuf = c.recvBufferSize;
    if (!seqLe(v.sndUna, v.sndNxt)) return `SND.UNA ${v.sndUna} > SND.NXT ${v.sndNxt}`;
    if (!seqLe(v.sndNxt, v.sndMax)) return `SND.NXT ${v.sndNxt} > SND.MAX ${v.sndMax}`;
    const flight = seqDiff(v.sndMax, v.sndUna);
    if (flight > sndBuf + 2) return `flight ${flight} exceeds the send buffer ${sndBuf} + SYN + FIN`;

    if (SYNCHRONIZED.has(v.state)) {
      const prev = this.edges.get(c);
      if (prev !== undefined && !seqGe(v.rcvAdvEdge, prev)) return `receive window right edge moved left: ${prev} -> ${v.rcvAdvEdge}`;
      this.edges.set(c, v.rcvAdvEdge);
      if (!seqLe(v.rcvNxt, v.rcvAdvEdge) && v.state !== 'TIME_WAIT') {
        // A FIN takes one sequence number and may sit at the edge of a full window.
        if (seqDiff(v.rcvNxt, v.rcvAdvEdge) > 1) return `RCV.NXT ${v.rcvNxt} beyond the advertised edge ${v.rcvAdvEdge}`;
      }
    }

    const rxBound = receiveMemoryBound(rcvBuf);
    const m = memory(c, rxBound);
    if (m.rxRetained > rxBound) return `receive memory ${m.rxRetained} B retained (${m.rxQueued} B queued, ${m.oooBytes} B in ${m.oooIslands} islands) > bound ${rxBound}`;
    const scale = v.wsOk ? 1 << 14 : 1;
    if (m.rxQueued + m.oooBytes > rcvBuf + scale) return `${m.rxQueued + m.oooBytes} B received and held > receive buffer ${rcvBuf}`;
    if (m.sackIslands > MAX_SACK_ISLANDS) return `SACK scoreboard holds ${m.sackIslands} islands > bound ${MAX_SACK_ISLANDS}`;
    if (m.sendQueued > sndBuf) return `send queue ${m.sendQueued} > send buffer ${sndBuf}`;
    if (m.sendAllocated > Math.max(sndBuf, 16 * 1024) + SEND_MIRROR) return `send buffer allocation ${m.sendAllocated} > ${sndBuf} + ${SEND_MIRROR}`;

    const t = v.timers;
    if ((v.state === 'SYN_SENT' || v.state === 'SYN_RCVD') && t.rtx === undefined) return 'handshake without a retransmission timer';
    const outstanding = seqDiff(v.sndMax, v.sndUna) > 0;
    if (outstanding && SENDS_DATA.has(v.state) && t.rtx === undefined && t.persist === undefined) {
      return `data/FIN outstanding (SND.UNA ${v.sndUna}, SND.MAX ${v.sndMax}) and neither the retransmission nor the persist timer runs`;
    }
    if (t.close !== undefined && !(v.state === 'FIN_WAIT_2' && v.appClosed)) return 'FIN_WAIT_2 timer outside an orphaned FIN_WAIT_2';
    if (t.persist !== undefined && !SENDS_DATA.has(v.state)) return 'persist timer in a state that sends no data';
    if (t.keep !== undefined && !v.cfg.keepAlive) return 'keepalive timer without SO_KEEPALIVE';
    if (v.state === 'TIME_WAIT' && !t.tw) return 'TIME_WAIT without its 2MSL timer';
    for (const [name, at] of Object.entries(t)) {
      if (typeof at === 'number' && !Number.isFinite(at)) return `timer ${name} at ${at}`;
    }
    return undefined;
  }
}
