/** Small readers of scenario documents shared by the sim tests. */
import assert from 'node:assert/strict';
import { findScenario } from '../../src/sim/catalogue.js';
import { runScenario } from '../../src/sim/scenario.js';
import type { ErrorEvent, ScenarioDocument, SegmentEvent, StateEvent } from '../../src/observe/events.js';

export function run(name: string, opts: { seed?: number; msl?: number; loss?: number } = {}): ScenarioDocument {
  const s = findScenario(name);
  assert.ok(s, `scenario ${name} exists`);
  return runScenario(s, { seed: opts.seed ?? 1, msl: opts.msl, loss: opts.loss });
}

export function states(doc: ScenarioDocument, endpoint?: string): StateEvent[] {
  return doc.events.filter((e): e is StateEvent => e.type === 'state' && (endpoint === undefined || e.endpoint === endpoint));
}

/** One endpoint's path through the states, e.g. ['CLOSED','SYN_SENT','ESTABLISHED']. */
export function path(doc: ScenarioDocument, endpoint: string): string[] {
  const ev = states(doc, endpoint);
  if (ev.length === 0) return [];
  return [ev[0]!.from, ...ev.map((e) => e.to)];
}

export function segments(doc: ScenarioDocument, from?: string): SegmentEvent[] {
  return doc.events.filter((e): e is SegmentEvent => e.type === 'segment' && (from === undefined || e.from === from));
}

export function errors(doc: ScenarioDocument, endpoint?: string): ErrorEvent[] {
  return doc.events.filter((e): e is ErrorEvent => e.type === 'error' && (endpoint === undefined || e.endpoint === endpoint));
}

/** The first time `endpoint` enters `to`. */
export function stateTime(doc: ScenarioDocument, endpoint: string, to: string): number {
  const e = states(doc, endpoint).find((x) => x.to === to);
  assert.ok(e, `${endpoint} reaches ${to}`);
  return e.t;
}

/** "A:FIN,ACK"-style summary of segments. */
export function flow(segs: SegmentEvent[]): string[] {
  return segs.map((s) => `${s.from}:${s.flags}`);
}

/** b − a in sequence space (RFC 9293 §3.4: modulo 2^32, as a signed 32-bit distance). */
export function seqDiff(b: number, a: number): number {
  return (b - a) | 0;
}
