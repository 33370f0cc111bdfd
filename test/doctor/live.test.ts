/**
 * Live pathologies in a network namespace this test creates: a small Python
 * program makes them for real (a server that never closes accepted sockets,
 * 200 short connections closed by the client, half-closes never answered, a
 * raw-socket SYN flood against a backlog of 4), then `synack doctor --json`
 * runs inside the namespace (/proc/net/tcp is per namespace) and its counts
 * must equal `ss` run there too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonLines, Netns, needRoot, run } from '../fixtures/netns.js';

const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../../test/doctor/pathologies.py', import.meta.url));


/** ss's state names → netstat's, which doctor prints. */
const SS: Record<string, string> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECV',
  'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2',
  'TIME-WAIT': 'TIME_WAIT',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
  UNCONN: 'CLOSE',
};

test('doctor in a namespace: CLOSE_WAIT, TIME_WAIT, FIN_WAIT_2 and SYN_RECV piles counted as ss counts them, and explained', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t, ['ss', 'python3', 'sysctl'])) return;
  const ns = await Netns.create('doctor');
  try {
    await ns.exec('ip', ['addr', 'add', '10.99.0.1/32', 'dev', 'lo']);
    // SYN-ACKs to the spoofed sources go out lo and are dropped on return (not ours, no forwarding).
    // (A blackhole route would not do: the listener drops a SYN it cannot route an answer for.)
    await ns.exec('ip', ['route', 'add', '10.77.0.0/16', 'dev', 'lo']);
    // RFC 1337 protection, in this namespace only. Linux's server side sometimes sends a stray pure ACK
    // after its FIN (seen in captures: FIN, the client's ACK, then the server's older ACK); the client's
    // TIME_WAIT answers it, the now-closed server answers that with a RST, and by default (tcp_rfc1337=0)
    // a RST kills a TIME_WAIT socket — "TIME-WAIT assassination" (RFC 1337), which took 1–10 of the
    // 200 TIME_WAIT sockets in about 1 run in 10. With tcp_rfc1337=1 TIME_WAIT ignores the RST.
    await ns.exec('sysctl', ['-qw', 'net.ipv4.tcp_rfc1337=1']);
    const py = ns.spawn('python3', [SCRIPT]);
    const lines = new JsonLines(py);
    await lines.expect('ready', 30_000);

    const doc = JSON.parse(await run('ip', ['netns', 'exec', ns.name, process.execPath, BIN, 'doctor', '--json', '--min', '5'], 20_000));
    const ss = await ns.exec('ss', ['-Htan']);
    const expected: Record<string, number> = {};
    for (const line of ss.trim().split('\n')) {
      const st = SS[line.trim().split(/\s+/)[0]];
      expected[st] = (expected[st] ?? 0) + 1;
    }
    assert.deepEqual(doc.states, expected, `doctor vs ss:\n${ss}`);
    assert.equal(doc.states.CLOSE_WAIT, 30);
    assert.equal(doc.states.FIN_WAIT2, 30);
    assert.equal(doc.states.TIME_WAIT, 200);
    assert.ok(doc.states.SYN_RECV >= 1 && doc.states.SYN_RECV <= 5, `the backlog of 4 bounds SYN_RECV: ${doc.states.SYN_RECV}`);

    const f = (id: string) => doc.findings.find((x: { id: string }) => x.id === id);
    const cw = f('close-wait');
    assert.ok(cw, 'CLOSE_WAIT finding');
    assert.ok(cw.detail.some((d: string) => new RegExp(`^python3\\[${py.pid}\\] local port 9001: 20$`).test(d)), cw.detail.join('\n'));
    assert.ok(cw.detail.some((d: string) => new RegExp(`^python3\\[${py.pid}\\] local port 9003: 10$`).test(d)), cw.detail.join('\n'));
    const tw = f('time-wait');
    assert.match(tw.detail[0], /^0 on listening ports .* 200 on ephemeral ports/);
    assert.ok(tw.detail.some((d: string) => /^127\.0\.0\.1 → 127\.0\.0\.1:9002: 200 of \d+ ephemeral ports/.test(d)), tw.detail.join('\n'));
    assert.equal(f('fin-wait-2').count, 30);
    const sr = f('syn-recv');
    assert.ok(sr === undefined || sr.count === doc.states.SYN_RECV);
    // Beyond the backlog the kernel answered with SYN cookies (tcp_syncookies=1 by default).
    assert.ok(doc.counters.TcpExtSyncookiesSent >= 30, `SyncookiesSent ${doc.counters.TcpExtSyncookiesSent}`);
    assert.ok(doc.counters.TcpExtListenOverflows >= 0);
    py.stdin!.end();
  } finally {
    await ns.delete();
  }
});


test('without root: every socket is still counted, and doctor says whose descriptors it could not read', { timeout: 30_000 }, async (t) => {
  if (!needRoot(t, ['runuser'])) return;
  // As root we can drop to nobody to see what an ordinary user sees; the counts must not change.
  const asRoot = JSON.parse(await run(process.execPath, [BIN, 'doctor', '--json']));
  // nobody runs a copy of the build in a directory it can read: the checkout may live where only root can
  // (a clone under `mktemp -d` is mode 0700), and then node could not even load the bin.
  const copy = mkdtempSync(join(tmpdir(), 'synack-doctor-'));
  try {
    chmodSync(copy, 0o755);
    cpSync(fileURLToPath(new URL('../../src/', import.meta.url)), join(copy, 'dist/src'), { recursive: true });
    cpSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), join(copy, 'package.json'));
    const asNobody = JSON.parse(await run('runuser', ['-u', 'nobody', '--', process.execPath, join(copy, 'dist/src/cli/bin.js'), 'doctor', '--json']));
    assert.equal(asRoot.unseen.length, 0, asRoot.unseen.join('; '));
    assert.ok(asNobody.unseen.some((u: string) => /^the open files of \d+ processes \(not ours; run as root to see every owner\)$/.test(u)), asNobody.unseen.join('; '));
    assert.equal(typeof asNobody.total, 'number');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('synack doctor: --help, unknown flags, bad values, --watch --count gives one document per look', { timeout: 30_000 }, async () => {
  const h = await run(process.execPath, [BIN, 'doctor', '--help']);
  assert.match(h, /usage: synack doctor/);
  await assert.rejects(run(process.execPath, [BIN, 'doctor', '--frobnicate']), /synack doctor: --frobnicate: unknown option$/);
  await assert.rejects(run(process.execPath, [BIN, 'doctor', '--watch', '0']), /synack doctor: --watch 0: must be a duration more than 0 s/);
  const out = await run(process.execPath, [BIN, 'doctor', '--json', '--watch', '0.2', '--count', '2']);
  const docs = out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(docs.length, 2);
  assert.equal(typeof docs[1].total, 'number');
});
