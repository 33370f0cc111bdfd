/**
 * `npm run bench` entry: bulk throughput at MTU 1500 and 65535 (bench/throughput.ts).
 * Flags: --quick (small transfers, fewer runs; well under 30 s), --out DIR (default bench/results).
 * Pin it for stable figures: `taskset -c 0 node dist/bench/run.js`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { measure, type ThroughputSummary } from './throughput.js';

function main(argv: string[]): void {
  const quick = argv.includes('--quick');
  const outIdx = argv.indexOf('--out');
  const outDir = resolve(process.cwd(), outIdx >= 0 && argv[outIdx + 1] ? argv[outIdx + 1]! : 'bench/results');
  const runs = quick ? 5 : 9;
  const cases: Array<{ mtu: number; bytes: number }> = [
    { mtu: 1500, bytes: (quick ? 48 : 256) << 20 },
    { mtu: 65535, bytes: (quick ? 192 : 1024) << 20 },
  ];
  const started = Date.now();
  const results: ThroughputSummary[] = [];
  for (const c of cases) {
    const r = measure(c, runs);
    results.push(r);
    console.log(
      `throughput MTU ${String(c.mtu).padStart(5)}: ${r.medianGbps.toFixed(2)} Gbit/s ` +
        `(median of ${runs} after 3 warm-ups: ${r.gbps.map((g) => g.toFixed(2)).join(' ')}; ${c.bytes >> 20} MiB, ` +
        `${r.segmentsPerRun.aToB} segments A→B, ${r.segmentsPerRun.bToA} B→A)`,
    );
  }
  mkdirSync(outDir, { recursive: true });
  const file = resolve(outDir, 'throughput.json');
  const doc = { benchmark: 'throughput', quick, node: process.version, date: new Date().toISOString(), elapsedMs: Date.now() - started, results };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  console.log(`wrote ${file}`);
}

main(process.argv.slice(2));
