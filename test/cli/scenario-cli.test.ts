import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const MAIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
/** The repository's root: the folder above this test whose package.json names synack (wherever the build folder is). */
const ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 10; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'synack') return dir;
    dir = dirname(dir);
  }
  throw new Error('repository root not found');
})();

function tcpdumpMissing(): string | false {
  return spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).error ? 'tcpdump is not installed' : false;
}

const synack = (...args: string[]) => execFileSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

test('synack scenario --list names every scenario with one line each', () => {
  const out = synack('scenario', '--list');
  const lines = out.trim().split('\n');
  assert.ok(lines.length >= 16);
  assert.match(out, /^simultaneous-close\s+\S/m);
  assert.match(out, /^lost-final-ack\s+\S/m);
});

test('synack scenario simultaneous-close --json prints the contract document: both ends FIN_WAIT_1 → CLOSING → TIME_WAIT → CLOSED', () => {
  const doc = JSON.parse(synack('scenario', 'simultaneous-close', '--json'));
  assert.equal(doc.scenario, 'simultaneous-close');
  assert.deepEqual(doc.endpoints, ['A', 'B']);
  for (const ep of ['A', 'B']) {
    const tos = doc.events.filter((e: any) => e.type === 'state' && e.endpoint === ep).map((e: any) => e.to);
    assert.deepEqual(tos.slice(-4), ['FIN_WAIT_1', 'CLOSING', 'TIME_WAIT', 'CLOSED']);
  }
});

test('the same --seed gives byte-identical JSON; another seed changes it', () => {
  const a = synack('scenario', 'lost-final-ack', '--json', '--seed', '42');
  const b = synack('scenario', 'lost-final-ack', '--json', '--seed', '42');
  const c = synack('scenario', 'lost-final-ack', '--json', '--seed', '43');
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('the text ladder shows both ends’ states beside the segments; --svg writes a drawing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-cli-'));
  try {
    const svg = join(dir, 'ladder.svg');
    const out = synack('scenario', 'active-close', '--svg', svg, '--width', '100');
    assert.match(out, /FIN_WAIT_1 → FIN_WAIT_2/);
    assert.match(out, /CLOSE_WAIT → LAST_ACK/);
    assert.match(out, /FIN,ACK seq=\d+ ack=\d+/);
    assert.match(readFileSync(svg, 'utf8'), /^<svg[\s\S]*<\/svg>\s*$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input gets one line naming the flag and why, and exit code 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['scenario', 'no-such-thing'], /unknown scenario "no-such-thing"/],
    [['scenario'], /give a scenario name/],
    [['scenario', 'handshake', 'active-close'], /give one scenario name/],
    [['scenario', 'handshake', '--seed', 'x'], /--seed x: must be an integer between 0 and 4294967295/],
    [['scenario', 'handshake', '--bogus'], /--bogus: unknown option/],
    [['scenario', 'handshake', '--json=yes'], /--json: takes no value/],
    [['scenario', 'handshake', '--seed'], /--seed: needs a value/],
    [['scenario', 'handshake', '--loss', '0.5'], /--loss: handshake does not take it \(scenarios that do: lossy-transfer\)/],
    [['scenario', 'time-wait-expiry', '--msl', '-5'], /--msl -5: must be a duration more than 0 s and at most 3600 s/],
    [['scenario', 'lossy-transfer', '--loss', '2'], /--loss 2: must be a probability between 0 and 1/],
    [['scenario', 'connect-timeout', '--msl', '5'], /--msl: connect-timeout does not take it/],
    [['scenario', 'handshake', '--width', '10'], /--width 10: must be an integer between 40 and 1000/],
    [['scenario', 'handshake', '--svg', '/nonexistent-dir/x.svg'], /--svg \/nonexistent-dir\/x\.svg: cannot write it \(ENOENT/],
    [['scenario', 'handshake', '--pcap', ''], /--pcap: needs a file name/],
  ];
  for (const [args, why] of cases) {
    const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0]!, /^synack scenario: /);
    assert.match(lines[0]!, why, args.join(' '));
    assert.doesNotMatch(lines[0]!, /ambiguous/);
  }
  const nope = spawnSync(process.execPath, [MAIN, 'nope'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(nope.status, 2);
  // Values that look like flags are still values: --msl=-5 and --msl 0.5 are handled as numbers.
  assert.match(synack('scenario', 'time-wait-expiry', '--msl=0.5', '--json'), /"ms": 1000/);
  assert.match(synack('scenario', 'time-wait-expiry', '--msl', '2min', '--json'), /"ms": 240000/);
});

test('--list says which scenarios take --loss and --msl', () => {
  const rows = synack('scenario', '--list').trim().split('\n');
  const row = (name: string): string => rows.find((r) => r.startsWith(`${name} `))!;
  assert.match(row('lossy-transfer'), /^lossy-transfer\s+--loss --msl\s+\S/);
  assert.match(row('time-wait-expiry'), /^time-wait-expiry\s+--msl\s+\S/);
  assert.doesNotMatch(row('handshake'), /--loss|--msl/);
  assert.equal(rows.filter((r) => r.includes('--loss')).length, 1);
});

test('the CLI refers to no file outside the repository', () => {
  const outputs = [
    synack('scenario', '--help'),
    synack('scenario', '--list'),
    ...['handshake', 'blind-rst', 'lossy-transfer'].map((n) => synack('scenario', n, '--states')),
  ];
  for (const out of outputs) {
    assert.doesNotMatch(out, /TCP-BEHAVIOR|DESIGN\.md|shared\//);
    for (const m of out.matchAll(/\b([\w./-]+\.md)\b/g)) assert.ok(existsSync(join(ROOT, m[1]!)), `${m[1]} is in the repository`);
  }
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.doesNotMatch(readme, /TCP-BEHAVIOR|DESIGN\.md|\.\.\/shared/);
  for (const m of readme.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)) assert.ok(existsSync(join(ROOT, m[1]!)), `README links ${m[1]}, which is in the repository`);
  assert.match(readme, /\]\(docs\/events\.md\)/, 'the README links the JSON format');
});

test('--pcap writes the scenario’s packets, spoofed ones too, as a capture tcpdump reads', { skip: tcpdumpMissing() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-pcap-'));
  try {
    const file = join(dir, 'blind.pcap');
    const doc = JSON.parse(synack('scenario', 'blind-rst', '--json', '--pcap', file));
    const segs = doc.events.filter((e: any) => e.type === 'segment');
    const r = spawnSync('tcpdump', ['-n', '-r', file, '-S', '-tt'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, segs.length, 'one packet per segment event');
    segs.forEach((s: any, i: number) => {
      const line = lines[i]!;
      assert.match(line, new RegExp(`^${(s.t / 1000).toFixed(6).replace('.', '\\.')} IP `), `time of packet ${i}`);
      // tcpdump prints a bare ACK's ack number only, every other segment's seq.
      const pureAck = s.flags === 'ACK' && s.len === 0;
      assert.match(line, new RegExp(pureAck ? `ack ${s.ack}\\b` : `seq ${s.seq}\\b`), `seq/ack of packet ${i}: ${line}`);
      assert.match(line, new RegExp(`win ${s.win}\\b`), `win of packet ${i}: ${line}`);
      assert.match(line, s.from === 'A' || (s.from === 'X' && s.to === 'B') ? /IP 10\.0\.0\.1\.\d+ > 10\.0\.0\.2\.80:/ : /IP 10\.0\.0\.2\.80 > 10\.0\.0\.1\.\d+:/);
    });
    const resets = lines.filter((l) => /Flags \[R\]/.test(l)).map((l) => / IP (\S+) >/.exec(l)![1]!.replace(/\.\d+$/, ''));
    assert.deepEqual(resets, ['10.0.0.1', '10.0.0.1', '10.0.0.1', '10.0.0.2'], 'X’s three RSTs (spoofing A’s address), then B’s answer to A');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('docs/events.md documents every field, event type and cause the scenarios produce', async () => {
  const docs = readFileSync(join(ROOT, 'docs', 'events.md'), 'utf8');
  const { SCENARIOS } = await import('../../src/sim/catalogue.js');
  const { runScenario } = await import('../../src/sim/scenario.js');
  const fields = new Set<string>();
  const causes = new Set<string>();
  for (const s of SCENARIOS) {
    const doc = runScenario(s, { seed: 1 });
    for (const k of Object.keys(doc)) fields.add(k);
    for (const e of doc.events) {
      for (const k of Object.keys(e)) fields.add(k);
      fields.add(e.type);
      if (e.type === 'state' && e.cause) causes.add(e.cause);
    }
  }
  for (const f of fields) assert.ok(docs.includes(`\`${f}\``), `docs/events.md mentions \`${f}\``);
  for (const c of causes) assert.ok(docs.includes(`\`${c}\``), `docs/events.md lists the cause \`${c}\``);
  assert.ok(causes.size >= 15, `${causes.size} causes seen`);
});
