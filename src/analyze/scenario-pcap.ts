/**
 * Record a scenario's packets as a pcap, without touching src/sim: while the
 * scenario runs, every MemoryLink pair it creates gets a tap that writes each
 * packet as it is SENT (dropped ones included: the capture point is on the
 * wire next to each sender, like tcpdump on each host). Timestamps are the
 * virtual clock's, so the capture starts at 1970-01-01T00:00:00Z.
 */
import { MemoryLink } from '../link/memory.js';
import { PcapWriter } from '../link/pcap.js';
import type { ScenarioDocument } from '../observe/events.js';
import { runScenario, type Scenario, type ScenarioOptions } from '../sim/scenario.js';

/** The scenario's document, and the virtual time (ms) its run ended: the end of the capture. */
export interface RecordedScenario {
  doc: ScenarioDocument;
  end: number;
}

export function runScenarioWithPcap(s: Scenario, opts: ScenarioOptions, write: (chunk: Uint8Array) => void): RecordedScenario {
  const writer = new PcapWriter(write, { now: () => 0 });
  const pair = MemoryLink.pair;
  let clockOf: { now(): number } | undefined;
  MemoryLink.pair = function patched(this: typeof MemoryLink, clock, pairOpts) {
    clockOf = clock;
    const links = pair.call(this, clock, pairOpts);
    for (const l of links) l.onTap((ev) => writer.write(ev.packet, ev.time));
    return links;
  } as typeof MemoryLink.pair;
  try {
    const doc = runScenario(s, opts);
    return { doc, end: clockOf?.now() ?? 0 };
  } finally {
    MemoryLink.pair = pair;
    writer.close();
  }
}

/** The same, collected into one byte array. */
export function scenarioPcap(s: Scenario, opts: ScenarioOptions): RecordedScenario & { pcap: Uint8Array } {
  const chunks: Uint8Array[] = [];
  const rec = runScenarioWithPcap(s, opts, (c) => chunks.push(c));
  const pcap = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    pcap.set(c, o);
    o += c.length;
  }
  return { ...rec, pcap };
}
