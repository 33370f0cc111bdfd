import type { TcpState } from '../tcp/state.js';

/**
 * The scenario/trace event contract (shared/DESIGN.md, "Contracts").
 * `t` is milliseconds since the start of the run; seq/ack are absolute 32-bit values;
 * flags is the comma list in the order SYN,FIN,RST,PSH,ACK,URG.
 */
export interface StateEvent {
  t: number;
  type: 'state';
  endpoint: string;
  from: TcpState;
  to: TcpState;
}

export interface SegmentEvent {
  t: number;
  type: 'segment';
  from: string;
  to: string;
  flags: string;
  seq: number;
  ack: number;
  len: number;
  dropped: boolean;
}

export type TraceEvent = StateEvent | SegmentEvent;

export interface ScenarioDocument {
  scenario: string;
  endpoints: string[];
  events: TraceEvent[];
}
