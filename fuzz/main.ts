/**
 * `npm run fuzz` — the structure-aware TCP fuzzer (test/fuzz/README in the module comments).
 *
 *   npm run fuzz -- --packets N      inject N packets (default 1,000,000), print packets/s
 *   npm run fuzz -- --seed S         campaign seed (default: random, printed)
 *   npm run fuzz -- --seconds T      stop after T seconds of wall time
 *   npm run fuzz -- --case SEED      run one case (e.g. from a failure report), shrink it, print its packets
 *                                    (--trace: and the minimal replay's segments and states on both stacks)
 *   npm run fuzz -- --handshakes N   N random-ISN handshakes, each must complete an exchange
 *   npm run fuzz -- --no-shrink      report failures without minimising them
 *   npm run fuzz -- --quick-share    the 10^5-packet share meant for npm test (quick-share.ts)
 *
 * Exit status 1 when any fault was found.
 *
 * It lives outside test/ on purpose: `node --test dist/test/` runs every .js file under test/ as a test,
 * and this entry with no arguments is a 10^6-packet campaign.
 */
import { runCampaign } from '../test/fuzz/campaign.js';
import { describe, regressionJson, runCase, shrink } from '../test/fuzz/runner.js';
import { runHandshakes } from '../test/fuzz/handshakes.js';
import { quickShare } from '../test/fuzz/quick-share.js';

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function num(argv: string[], name: string, dflt: number): number {
  const v = arg(argv, name);
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`${name} wants a non-negative number, got "${v}"`);
  return n;
}

const USAGE = `usage: npm run fuzz -- [--packets N] [--seed S] [--seconds T] [--no-shrink]
       npm run fuzz -- --case SEED [--packets N] [--trace]
       npm run fuzz -- --handshakes N [--seed S]
       npm run fuzz -- --quick-share`;
const VALUED = new Set(['--packets', '--seed', '--seconds', '--case', '--handshakes']);
const SWITCHES = new Set(['--trace', '--no-shrink', '--quick-share']);

/** Every argument must be a known flag (with its value): a typo must not start a 10^6-packet campaign. */
function checkArgs(argv: string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUED.has(a)) {
      if (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) throw new RangeError(`${a} wants a value`);
      i++;
    } else if (!SWITCHES.has(a)) throw new RangeError(`unknown argument "${a}"`);
  }
}

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  try {
    checkArgs(argv);
    return run(argv);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    console.error(`fuzz: ${e.message}\n${USAGE}`);
    return 2;
  }
}

function run(argv: string[]): number {
  const log = (s: string): void => console.log(s);
  const one = arg(argv, '--case');
  if (one !== undefined) {
    const seed = Number(one) >>> 0;
    const r = runCase(seed, num(argv, '--packets', 4000));
    console.log(`case ${seed}: ${r.injected.length} injected, ${r.delivered} delivered, licensed ${r.licensed}`);
    if (!r.fault) {
      console.log('no fault');
      return 0;
    }
    console.log(`FAULT ${r.fault.kind} at t=${r.fault.t}: ${r.fault.message}`);
    const s = shrink(seed, r.injected, r.fault.kind);
    console.log(`shrunk to ${s.injected.length} packets (${s.replays} replays): ${s.fault.message}`);
    for (const p of s.injected) console.log(`  ${describe(p)}`);
    console.log(regressionJson(seed, s.injected, s.fault));
    if (argv.includes('--trace')) {
      // Replay the minimal case with both stacks' traces, injected packets marked.
      runCase(seed, 0, s.injected, (w) => {
        console.log(`world: ${JSON.stringify(w.cfg)}`);
        for (const st of [w.a, w.b]) {
          st.on('trace', (e) => {
            if (e.type === 'segment') console.log(`${e.t.toFixed(3)} ${e.stack} ${e.dir} ${e.local} ${e.remote} ${e.flags} seq ${e.seq} ack ${e.ack} len ${e.len} win ${e.window}${e.rtx ? ' rtx' : ''}`);
            else if (e.type === 'state') console.log(`${e.t.toFixed(3)} ${e.stack} state ${e.local} ${e.from} -> ${e.to}`);
            else if (e.type === 'drop') console.log(`${e.t.toFixed(3)} ${e.stack} drop ${e.reason}`);
            else console.log(`${e.t.toFixed(3)} ${e.stack} error ${e.local} ${e.code}`);
          });
        }
      });
    }
    return 1;
  }
  if (argv.includes('--quick-share')) {
    const q = quickShare();
    console.log(`quick share: ${q.result.packets} packets in ${q.result.cases} cases, ${(q.result.elapsedMs / 1000).toFixed(1)} s; ${q.problems.length} problems`);
    for (const p of q.problems) console.log(`  ${p}`);
    return q.problems.length > 0 ? 1 : 0;
  }
  const hs = arg(argv, '--handshakes');
  if (hs !== undefined) {
    const n = num(argv, '--handshakes', 100_000);
    const r = runHandshakes({ count: n, seed: num(argv, '--seed', Date.now() >>> 0) });
    console.log(`${r.count} random-ISN handshakes (seed ${r.seed}) in ${(r.elapsedMs / 1000).toFixed(1)} s: ${r.failures.length} failed`);
    for (const f of r.failures.slice(0, 20)) console.log(`  client ISS ${f.clientIss}, server ISS ${f.serverIss}: ${f.why}`);
    return r.failures.length > 0 ? 1 : 0;
  }
  const packets = num(argv, '--packets', 1_000_000);
  const seed = num(argv, '--seed', Date.now() >>> 0) >>> 0;
  const seconds = arg(argv, '--seconds') !== undefined ? num(argv, '--seconds', 0) : undefined;
  console.log(`fuzz: ${packets} packets, seed ${seed}${seconds !== undefined ? `, at most ${seconds} s` : ''}`);
  const r = runCampaign({ packets, seed, maxSeconds: seconds, shrink: !argv.includes('--no-shrink'), log });
  const s = r.elapsedMs / 1000;
  console.log(
    `${r.packets} packets injected (${r.delivered} delivered with the legitimate traffic) in ${r.cases} cases ` +
      `(${r.licensedCases} allowed to kill the connection), ${s.toFixed(1)} s: ${(r.packets / s).toFixed(0)} packets/s, ${r.faults.length} faults`,
  );
  const labels = [...r.labels.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`);
  console.log(`by target state: ${labels.join(', ')}`);
  return r.faults.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
