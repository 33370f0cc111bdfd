/** Hand-built scenario documents shared by the observe/ tests. */
import type { ScenarioDocument, SegmentEvent, StateEvent, TraceEvent } from '../../src/observe/events.js';
import type { TcpState } from '../../src/tcp/state.js';

export function st(t: number, endpoint: string, from: TcpState, to: TcpState): StateEvent {
  return { t, type: 'state', endpoint, from, to };
}

export function seg(
  t: number,
  from: string,
  to: string,
  flags: string,
  seq: number,
  ack = 0,
  len = 0,
  dropped = false,
): SegmentEvent {
  return { t, type: 'segment', from, to, flags, seq, ack, len, dropped };
}

export function doc(scenario: string, events: TraceEvent[], endpoints: string[] = ['A', 'B']): ScenarioDocument {
  return { scenario, endpoints, events };
}

/** The three-way handshake exactly as the brief and the seed articles draw it. */
export const handshake: ScenarioDocument = doc('handshake', [
  st(0, 'A', 'CLOSED', 'SYN_SENT'),
  seg(0, 'A', 'B', 'SYN', 1000),
  st(1, 'B', 'LISTEN', 'SYN_RCVD'),
  seg(1, 'B', 'A', 'SYN,ACK', 5000, 1001),
  st(2, 'A', 'SYN_SENT', 'ESTABLISHED'),
  seg(2, 'A', 'B', 'ACK', 1001, 5001),
  st(3, 'B', 'SYN_RCVD', 'ESTABLISHED'),
]);

/** Handshake, some data, then A closes first: four-way close, TIME_WAIT and its 60 s (2MSL) wait. */
export const fullLifecycle: ScenarioDocument = doc('connect-send-close', [
  ...handshake.events,
  seg(10, 'A', 'B', 'PSH,ACK', 1001, 5001, 100),
  seg(11, 'B', 'A', 'ACK', 5001, 1101),
  st(20, 'A', 'ESTABLISHED', 'FIN_WAIT_1'),
  seg(20, 'A', 'B', 'FIN,ACK', 1101, 5001),
  st(21, 'B', 'ESTABLISHED', 'CLOSE_WAIT'),
  seg(21, 'B', 'A', 'ACK', 5001, 1102),
  st(22, 'A', 'FIN_WAIT_1', 'FIN_WAIT_2'),
  st(30, 'B', 'CLOSE_WAIT', 'LAST_ACK'),
  seg(30, 'B', 'A', 'FIN,ACK', 5001, 1102),
  st(31, 'A', 'FIN_WAIT_2', 'TIME_WAIT'),
  seg(31, 'A', 'B', 'ACK', 1102, 5002),
  st(32, 'B', 'LAST_ACK', 'CLOSED'),
  st(60031, 'A', 'TIME_WAIT', 'CLOSED'),
]);

/** The client's SYN is lost and retransmitted after the 1 s initial RTO (RFC 6298). */
export const lostSyn: ScenarioDocument = doc('lost-syn', [
  st(0, 'A', 'CLOSED', 'SYN_SENT'),
  seg(0, 'A', 'B', 'SYN', 1000, 0, 0, true),
  seg(1000, 'A', 'B', 'SYN', 1000),
  st(1001, 'B', 'LISTEN', 'SYN_RCVD'),
  seg(1001, 'B', 'A', 'SYN,ACK', 5000, 1001),
  st(1002, 'A', 'SYN_SENT', 'ESTABLISHED'),
  seg(1002, 'A', 'B', 'ACK', 1001, 5001, 0, false),
  st(1003, 'B', 'SYN_RCVD', 'ESTABLISHED'),
  seg(1010, 'B', 'A', 'PSH,ACK', 5001, 1001, 20, true),
]);

/** Both ends close at once: FIN_WAIT_1 → CLOSING → TIME_WAIT on both sides (seed: "CLOSING ... 双方同时close"). */
export const simultaneousClose: ScenarioDocument = doc('simultaneous-close', [
  st(0, 'A', 'ESTABLISHED', 'FIN_WAIT_1'),
  seg(0, 'A', 'B', 'FIN,ACK', 1001, 5001),
  st(0, 'B', 'ESTABLISHED', 'FIN_WAIT_1'),
  seg(0, 'B', 'A', 'FIN,ACK', 5001, 1001),
  st(1, 'A', 'FIN_WAIT_1', 'CLOSING'),
  seg(1, 'A', 'B', 'ACK', 1002, 5002),
  st(1, 'B', 'FIN_WAIT_1', 'CLOSING'),
  seg(1, 'B', 'A', 'ACK', 5002, 1002),
  st(2, 'A', 'CLOSING', 'TIME_WAIT'),
  st(2, 'B', 'CLOSING', 'TIME_WAIT'),
  st(60002, 'A', 'TIME_WAIT', 'CLOSED'),
  st(60002, 'B', 'TIME_WAIT', 'CLOSED'),
]);

/** Things a hand-written or foreign trace may contain: a third endpoint, a segment to itself, names that need escaping. */
export const oddities: ScenarioDocument = doc('odd <&> "names"', [
  st(0, 'client', 'CLOSED', 'SYN_SENT'),
  seg(0, 'client', 'server', 'SYN', 4294967295),
  seg(0.5, 'X', 'server', 'RST', 7),
  seg(1, 'server', 'X', 'SYN,ACK', 7, 8, 0, true),
  seg(1, 'X', 'client', 'ACK', 7, 8, 3),
  seg(1, 'client', 'Y', 'ACK', 0, 8, 3),
  seg(1, 'X', 'Y', '', 7, 8, 3),
  seg(2, 'client', 'client', 'SYN', 7),
  seg(2, 'server', 'server', 'SYN', 7, 0, 0, true),
  st(2, 'Z', 'LISTEN', 'SYN_RCVD'),
  st(7_200_000, 'server', 'LISTEN', 'CLOSED'),
], ['client', 'server']);

export const allFixtures: ScenarioDocument[] = [handshake, fullLifecycle, lostSyn, simultaneousClose, oddities];

/** Visible width of a line in terminal columns: ANSI colour codes excluded, CJK characters count 2. */
export function visibleWidth(line: string): number {
  let w = 0;
  for (const ch of stripAnsi(line)) w += /[\u1100-\u115f\u2e80-\u303e\u3040-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/u.test(ch) ? 2 : 1;
  return w;
}

export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}
