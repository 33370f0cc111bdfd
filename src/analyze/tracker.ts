/**
 * Follows every TCP connection in a stream of decoded packets: one
 * PassiveConnection per incarnation of a 4-tuple. A SYN for a 4-tuple whose
 * previous incarnation is over (both ends CLOSED or TIME_WAIT) starts a new
 * one; if an end was still in TIME_WAIT, that is recorded as port reuse.
 */
import { ACK, SYN } from '../wire/flags.js';
import type { TcpPacket } from './capture/tcp-frame.js';
import { PassiveConnection, TIME_WAIT_MS, type ModelOptions } from './model/passive-connection.js';

export function endpointName(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export interface PortReuse {
  /** The connection that reused the 4-tuple. */
  connection: number;
  previous: number;
  /** The end of the previous incarnation still in TIME_WAIT, and since when (ms). */
  endpoint: string;
  timeWaitAge: number;
}

export class ConnectionTracker {
  private readonly live = new Map<string, PassiveConnection>();
  readonly all: PassiveConnection[] = [];
  readonly portReuse: PortReuse[] = [];
  private nextId = 1;
  /** Segment records kept for ladders across the whole capture: a long capture keeps counting, in bounded memory. */
  private readonly budget: { left: number };

  constructor(private readonly opts: ModelOptions & { maxSegmentRecords?: number } = {}) {
    this.budget = { left: opts.maxSegmentRecords ?? 500_000 };
  }

  add(p: TcpPacket): void {
    const a = endpointName(p.src, p.srcPort);
    const b = endpointName(p.dst, p.dstPort);
    const key = a < b ? `${a} ${b}` : `${b} ${a}`;
    let conn = this.live.get(key);
    const isSyn = (p.flags & SYN) !== 0 && (p.flags & ACK) === 0;
    if (conn && isSyn && this.isNewIncarnation(conn, a, p.seq)) {
      const fresh = this.open(key, a, b, p);
      for (const e of conn.ends) {
        if (e.state !== 'TIME_WAIT' || e.timeWaitSince === undefined) continue;
        const age = p.timeMs - e.timeWaitSince;
        if (age >= TIME_WAIT_MS) continue; // it had already expired
        this.portReuse.push({ connection: fresh.id, previous: conn.id, endpoint: e.name, timeWaitAge: age });
        // The new SYN was accepted for the 4-tuple: it ended the old TIME_WAIT (RFC 6191; tcp_tw_reuse on a client).
        e.go(p.timeMs, 'CLOSED', { inferred: 'a new SYN for the same 4-tuple took over the TIME_WAIT (RFC 6191)' });
      }
      conn.finish();
      conn = fresh;
    } else if (!conn) {
      conn = this.open(key, a, b, p);
    }
    const from = conn.names[0] === a ? 0 : 1;
    conn.onSegment({ t: p.timeMs, from, flags: p.flags, seq: p.seq, ack: p.ack, len: p.len, window: p.window, options: p.options });
    if (conn.ends.every((e) => e.state === undefined || e.state === 'CLOSED' || e.state === 'TIME_WAIT')) conn.compact();
  }

  /** Finish every connection (inferred timers). Returns them in order of first packet. */
  finish(): PassiveConnection[] {
    for (const c of this.live.values()) c.finish();
    this.live.clear();
    return this.all;
  }

  private isNewIncarnation(conn: PassiveConnection, sender: string, seq: number): boolean {
    const x = conn.ends[conn.names[0] === sender ? 0 : 1];
    if (x.isn === seq && (x.state === 'SYN_SENT' || x.state === 'SYN_RCVD')) return false; // a retransmitted SYN
    const over = (s: string | undefined) => s === undefined || s === 'CLOSED' || s === 'TIME_WAIT' || s === 'LISTEN';
    return conn.ends.every((e) => over(e.state)) || (x.state === 'SYN_SENT' && x.isn !== seq);
  }

  private open(key: string, a: string, b: string, p: TcpPacket): PassiveConnection {
    const isSyn = (p.flags & SYN) !== 0 && (p.flags & ACK) === 0;
    // Endpoint A is the one that opened: the SYN's sender; mid-connection, the side with the higher (ephemeral) port.
    let names: [string, string] = [a, b];
    if (p.flags & SYN && p.flags & ACK) names = [b, a];
    else if (!isSyn && p.dstPort > p.srcPort) names = [b, a];
    const conn = new PassiveConnection(this.nextId++, names, { t: p.timeMs, from: 0, flags: p.flags, seq: p.seq, ack: p.ack, len: p.len, window: p.window, options: p.options }, this.opts, this.budget);
    this.live.set(key, conn);
    this.all.push(conn);
    return conn;
  }
}
