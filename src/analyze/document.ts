/**
 * A followed connection as a scenario-style document (DESIGN.md contract):
 * endpoints named `addr:port`, `t` in ms since the connection's first packet,
 * segment events with `win` and `rtx`, state events from the passive model
 * (an `inferred` reason on the ones no packet showed directly).
 */
import type { ScenarioDocument, SegmentEvent, StateEvent, TraceEvent } from '../observe/events.js';
import { flagsToString } from '../wire/flags.js';
import type { PassiveConnection } from './model/passive-connection.js';

export type AnalyzedStateEvent = StateEvent & { inferred?: string };
export type AnalyzedSegmentEvent = SegmentEvent & { win: number; rtx?: boolean; probe?: string };

export interface ConnectionDocument extends ScenarioDocument {
  /** Connection number in the summary table (--conn ID). */
  id: number;
  /** Capture time of the first packet, ms since the Unix epoch. */
  start: number;
}

const round = (t: number): number => Math.round(t * 1000) / 1000;

export function connectionDocument(c: PassiveConnection): ConnectionDocument {
  const events: TraceEvent[] = [];
  const names = c.names;
  for (const s of c.segments) {
    const ev: AnalyzedSegmentEvent = { t: round(s.t - c.firstT), type: 'segment', from: names[s.from], to: names[1 - s.from], flags: flagsToString(s.flags), seq: s.seq, ack: s.ack, len: s.len, dropped: false, win: s.win };
    if (s.rtx) ev.rtx = true;
    if (s.probe) ev.probe = s.probe;
    events.push(ev);
  }
  const states: AnalyzedStateEvent[] = [];
  for (const e of c.ends) {
    for (const tr of e.path) {
      const ev: AnalyzedStateEvent = { t: round(tr.t - c.firstT), type: 'state', endpoint: e.name, from: tr.from, to: tr.to };
      if (tr.inferred) ev.inferred = tr.inferred;
      states.push(ev);
    }
  }
  // Merge by time; at equal times a state change follows the segment that caused it (stable order otherwise).
  const merged = [...events, ...states].map((ev, i) => ({ ev, i }));
  merged.sort((p, q) => p.ev.t - q.ev.t || (p.ev.type === q.ev.type ? p.i - q.i : p.ev.type === 'segment' ? -1 : 1));
  return { scenario: `connection ${c.id}`, id: c.id, start: c.firstT, endpoints: [names[0], names[1]], events: merged.map((m) => m.ev) };
}
