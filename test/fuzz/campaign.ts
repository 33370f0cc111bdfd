/**
 * A fuzz campaign: cases one after another until a packet budget or a time
 * limit is spent. Each case's seed comes from the campaign seed, so any case
 * can be rerun alone (`npm run fuzz -- --case SEED`).
 */
import { Rng } from '../../src/util/rng.js';
import { describe, regressionJson, runCase, shrink, type Fault, type Injection } from './runner.js';

export interface CampaignOptions {
  /** Injected packets to send, in total. */
  packets: number;
  seed: number;
  /** Stop early after this much wall time. */
  maxSeconds?: number;
  /** Largest number of injected packets in one case. */
  maxPerCase?: number;
  /** Shrink failures (replays the case many times). */
  shrink?: boolean;
  /** Stop at the first failure. */
  stopOnFault?: boolean;
  log?: (line: string) => void;
}

export interface CampaignFault {
  seed: number;
  fault: Fault;
  /** The shrunk packet list (or the whole one without shrinking). */
  packets: Injection[];
  json: string;
}

export interface CampaignResult {
  packets: number;
  delivered: number;
  cases: number;
  licensedCases: number;
  elapsedMs: number;
  faults: CampaignFault[];
  labels: Map<string, number>;
}

export function runCampaign(o: CampaignOptions): CampaignResult {
  const log = o.log ?? (() => {});
  const seeds = new Rng(o.seed);
  const started = performance.now();
  const res: CampaignResult = { packets: 0, delivered: 0, cases: 0, licensedCases: 0, elapsedMs: 0, faults: [], labels: new Map() };
  let lastLog = started;
  const maxPerCase = o.maxPerCase ?? 4000;
  while (res.packets < o.packets) {
    if (o.maxSeconds !== undefined && performance.now() - started > o.maxSeconds * 1000) break;
    const seed = seeds.nextU32();
    const budget = Math.min(o.packets - res.packets, 200 + seeds.int(Math.max(1, maxPerCase - 200)));
    const r = runCase(seed, budget);
    res.cases++;
    res.packets += r.injected.length;
    res.delivered += r.delivered;
    if (r.licensed) res.licensedCases++;
    for (const [k, v] of r.labels) res.labels.set(k, (res.labels.get(k) ?? 0) + v);
    if (r.fault) {
      // The case's packet budget is part of the case: `--case SEED` alone (budget 4000) may not reproduce it.
      log(`FAULT in case seed ${seed} (--packets ${budget}): ${r.fault.kind} at t=${r.fault.t} ms: ${r.fault.message}`);
      let packets = r.injected;
      let fault = r.fault;
      if (o.shrink !== false) {
        const s = shrink(seed, r.injected, r.fault.kind);
        packets = s.injected;
        fault = s.fault;
        log(`shrunk from ${r.injected.length} to ${packets.length} packets in ${s.replays} replays; reproduce: npm run fuzz -- --case ${seed} --packets ${budget}`);
        log(`minimal fault: ${fault.kind}: ${fault.message}`);
        for (const p of packets) log(`  ${describe(p)}`);
      }
      if (o.shrink !== false) {
        const json = regressionJson(seed, packets, fault);
        res.faults.push({ seed, fault, packets, json });
        log(`regression entry:\n${json}`);
      } else {
        // Without shrinking keep only the seed (a long run would hoard every case's packets): rerun with --case SEED.
        res.faults.push({ seed, fault, packets: [], json: '' });
      }
      if (o.stopOnFault) break;
    }
    const now = performance.now();
    if (now - lastLog > 10_000) {
      lastLog = now;
      const s = (now - started) / 1000;
      log(`${res.packets} packets, ${res.cases} cases, ${(res.packets / s).toFixed(0)} packets/s, ${res.faults.length} faults`);
    }
  }
  res.elapsedMs = performance.now() - started;
  return res;
}
