/** One row per followed connection: what the summary table, --json and the findings read. */
import type { TcpState } from '../tcp/state.js';
import type { PassiveConnection } from './model/passive-connection.js';

export type CloseKind = 'four-way' | 'fin-ack-combined' | 'simultaneous' | 'reset' | 'refused' | 'connect-timeout' | 'half-closed' | 'open';

export interface ConnectionSummary {
  id: number;
  /** Endpoint A (the one that sent the SYN) and endpoint B, `addr:port`. */
  a: string;
  b: string;
  /** ms since the capture's first packet. */
  start: number;
  duration: number;
  bytesAtoB: number;
  bytesBtoA: number;
  /** State of each end when the capture ended (undefined: never seen in one). */
  finalA: TcpState | undefined;
  finalB: TcpState | undefined;
  /** Who sent the first FIN (or RST): closes first, so it is the one that gets TIME_WAIT. None for a connection that never opened. */
  closer: string | undefined;
  close: CloseKind;
  retransmissions: number;
  rttMs: number | undefined;
  zeroWindows: number;
  resets: number;
  /** Where the inference is uncertain, in words. */
  uncertain: string[];
}

function firstCloser(c: PassiveConnection): string | undefined {
  return c.firstClose ? c.names[c.firstClose.from] : undefined;
}

function closeKind(c: PassiveConnection): CloseKind {
  const paths = c.ends.map((e) => e.path.map((t) => `${t.from}>${t.to}`));
  const all = paths.flat();
  const finsSent = c.ends.filter((e) => e.finSeq !== undefined).length;
  if (all.includes('SYN_SENT>CLOSED')) {
    return c.stats[1].resets > 0 ? 'refused' : 'connect-timeout';
  }
  if (all.some((p) => p.endsWith('>CLOSING'))) return 'simultaneous';
  const rstClosed = c.stats[0].resets + c.stats[1].resets > 0 && c.ends.some((e) => e.path.some((t) => t.to === 'CLOSED' && (t.from === 'ESTABLISHED' || t.from === 'CLOSE_WAIT' || t.from === 'FIN_WAIT_1' || t.from === 'FIN_WAIT_2' || t.from === 'SYN_RCVD') && !t.inferred?.startsWith('orphaned')));
  if (rstClosed) return 'reset';
  if (all.includes('FIN_WAIT_1>TIME_WAIT')) return 'fin-ack-combined';
  if (finsSent === 2) return 'four-way';
  if (finsSent === 1) return 'half-closed';
  return 'open';
}

export function summarize(c: PassiveConnection, captureStart: number, captureEnd: number): ConnectionSummary {
  const uncertain: string[] = [];
  if (c.midstream) uncertain.push('capture started mid-connection: states before the first packet are assumed ESTABLISHED');
  const unseen = c.stats[0].acksForUnseenData + c.stats[1].acksForUnseenData;
  if (unseen > 0) uncertain.push(`${unseen} ACKs for data the capture never saw: packets missing from the capture (capture drops or an asymmetric path), not lost on the wire`);
  const silent = c.ends.filter((e) => e.unresponsiveSince !== undefined);
  for (const e of silent) uncertain.push(`${e.name} stopped answering at ${(e.unresponsiveSince! - captureStart).toFixed(0)} ms: its later state is unknown`);
  if (c.unappliedToSilentEnds > 0) uncertain.push(`${c.unappliedToSilentEnds} segments sent to a silent end were not taken as received`);
  for (const e of c.ends) for (const t of e.path) if (t.inferred) uncertain.push(`${e.name} ${t.from} → ${t.to}: ${t.inferred}`);
  if (c.segmentEventsDropped > 0) uncertain.push(`only the first ${c.segments.length} segments are kept for the ladder`);
  const close = closeKind(c);
  return {
    id: c.id,
    a: c.names[0],
    b: c.names[1],
    start: c.firstT - captureStart,
    duration: c.lastT - c.firstT,
    bytesAtoB: c.stats[0].bytes,
    bytesBtoA: c.stats[1].bytes,
    finalA: c.ends[0].stateAt(captureEnd),
    finalB: c.ends[1].stateAt(captureEnd),
    closer: close === 'refused' || close === 'connect-timeout' ? undefined : firstCloser(c),
    close,
    retransmissions: c.stats[0].retransmissions + c.stats[1].retransmissions,
    rttMs: c.handshakeRtt ?? c.timestampRtt,
    zeroWindows: c.stats[0].zeroWindows + c.stats[1].zeroWindows,
    resets: c.stats[0].resets + c.stats[1].resets,
    uncertain,
  };
}
