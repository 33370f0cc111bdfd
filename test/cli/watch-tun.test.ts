/**
 * Watching real connections (root only: a TUN device in a namespace of the
 * test's own): `serve --trace` prints a curl's connection live, state by
 * state and segment by segment; `synack ss` prints the same header and row
 * as the kernel's `ss` for the two ends of one connection; `nstat` reads
 * the counters; `fetch --trace --admin` traces the client side on stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needKernel } from '../fixtures/netns.js';
import { renderSsTable, type SsRow } from '../../src/observe/ss-table.js';
import { KERNEL_IP, LINK, Lines, MAIN, SYNACK_IP, ADMIN_PORT, namespace, startServe, waitListening } from '../interop/harness.js';

const esc = (s: string): string => s.replace(/[.[\]]/g, '\\$&');

test('serve --trace: a curl’s connection, live, state by state and segment by segment', async (t) => {
  if (!needKernel(t, ['curl'])) return;
  const s = await startServe(t, ['--http', '80', '--trace']);
  const size = await s.ns.exec('curl', ['-sS', '--max-time', '10', '-o', '/dev/null', '-w', '%{size_download}', `http://${SYNACK_IP}/bytes/100`], 15_000);
  assert.equal(size, '100');
  const closed = await s.lines.waitFor(new RegExp(`^ +[\\d.]+ ms  ${esc(SYNACK_IP)}:80 · ${esc(KERNEL_IP)}:\\d+  LAST_ACK → CLOSED$`), 10_000);
  const peer = /· (\S+)  /.exec(closed)![1]!;
  const conn = s.lines.out.filter((l) => l.includes(`${SYNACK_IP}:80 `) && l.includes(` ${peer}  `));
  const states = conn.filter((l) => l.includes(' · ')).map((l) => l.split('  ').pop());
  assert.deepEqual(states, ['LISTEN → SYN_RCVD', 'SYN_RCVD → ESTABLISHED', 'ESTABLISHED → CLOSE_WAIT', 'CLOSE_WAIT → LAST_ACK', 'LAST_ACK → CLOSED']);
  // Both directions, in the ladder's words: the SYN in, the SYN,ACK out (with options' window), the FINs.
  assert.match(conn[0]!, new RegExp(`${esc(SYNACK_IP)}:80 ← ${esc(peer)}  SYN seq=\\d+ win=\\d+$`));
  assert.ok(conn.some((l) => new RegExp(`${esc(SYNACK_IP)}:80 → ${esc(peer)}  SYN,ACK seq=\\d+ ack=\\d+ win=\\d+$`).test(l)));
  assert.ok(conn.some((l) => / ← \S+ {2}FIN,ACK seq=\d+ ack=\d+ win=\d+$/.test(l)), 'curl’s FIN');
  assert.ok(conn.some((l) => / → \S+ {2}FIN,ACK seq=\d+ ack=\d+ win=\d+$/.test(l)) || conn.some((l) => / → \S+ {2}FIN,PSH,ACK/.test(l)), 'our FIN');
  assert.ok(conn.some((l) => / → \S+ {2}PSH,ACK seq=\d+ ack=\d+ win=\d+ len=\d+$/.test(l)), 'the response');
  // Every trace line is one event: time, the two ends, what happened.
  for (const l of conn) assert.match(l, /^ +\d+\.\d{3} ms {2}\S+ [←→·] \S+ {2}\S/);
});

test('serve --trace with loss: retransmissions are marked rtx, losses ✕ lost', async (t) => {
  if (!needKernel(t, ['curl'])) return;
  const s = await startServe(t, ['--http', '80', '--trace', '--loss', '0.2', '--seed', '7', '--rate', '20M']);
  assert.match(await s.lines.waitFor(/^synack serving on /, 1000), /, impairment: loss 20 %, rate 20 Mbit\/s, seed 7: http :80, admin http:\/\/127\.0\.0\.1:8080$/, 'the banner speaks units');
  // Small bodies: at 20 % loss each way a run of losses costs RTO backoffs (0.2, 0.4, 0.8… s) on any TCP, and the
  // trace needs only a few losses and retransmissions; 3 × 60 kB gives ~130 data segments, ~26 of them lost.
  for (let i = 0; i < 3; i++) await s.ns.exec('curl', ['-sS', '--max-time', '60', '-o', '/dev/null', `http://${SYNACK_IP}/bytes/60000`], 65_000);
  await s.lines.waitFor(/ ✕ lost /, 5000);
  await s.lines.waitFor(/ seq=\d+ .*win=\d+.* rtx$/, 5000);
  assert.match(s.lines.out.find((l) => l.includes('✕ lost'))!, /[←→] \S+ {2}✕ lost (SYN|FIN|RST|PSH|ACK)[A-Z,]* seq=\d+.* \(the link's impairment\)$/);
});

test('synack ss and the kernel’s ss print the same header and the same row for the two ends of one connection', async (t) => {
  if (!needKernel(t, ['python3', 'ss', 'curl'])) return;
  const s = await startServe(t, ['--echo', '7']);
  const py = s.ns.spawn('python3', ['-c', `import socket, time\ns = socket.create_connection(("${SYNACK_IP}", 7))\nprint(s.getsockname()[1], flush=True)\ntime.sleep(8)`]);
  const pyLines = new Lines(py);
  const port = (await pyLines.waitFor(/^\d+$/, 5000)).trim();
  const kernel = (await s.ns.exec('ss', ['-tn', 'state', 'established', 'dport', '=', ':7'])).replace(/\n$/, '').split('\n');
  const ours = (await s.ns.exec(process.execPath, [MAIN, 'ss', '--admin', `127.0.0.1:${ADMIN_PORT}`, '-tn', 'state', 'established', 'sport', '=', ':7'])).replace(/\n$/, '').split('\n');
  assert.equal(kernel.length, 2, kernel.join('\n'));
  assert.equal(ours.length, 2, ours.join('\n'));
  // synack's renderer, given the kernel's row, prints what the kernel's ss printed, byte for byte.
  const row = (line: string): SsRow => {
    const [recvQ, sendQ, local, remote] = line.trim().split(/\s+/) as [string, string, string, string];
    return { state: 'ESTABLISHED', recvQueue: Number(recvQ), sendQueue: Number(sendQ), local, remote };
  };
  const k = row(kernel[1]!);
  assert.equal(renderSsTable([k], { stateColumn: false }), kernel.join('\n'));
  // synack's ss shows the same connection from the other end, laid out the same way.
  assert.equal(k.local, `${KERNEL_IP}:${port}`);
  assert.equal(ours.join('\n'), renderSsTable([{ ...k, local: k.remote, remote: k.local }], { stateColumn: false }));
  const nstat = await s.ns.exec(process.execPath, [MAIN, 'nstat', '--admin', `127.0.0.1:${ADMIN_PORT}`, 'TcpPassiveOpens', 'TcpCurrEstab']);
  assert.equal(nstat, `#kernel\n${'TcpPassiveOpens'.padEnd(32)}${'1'.padEnd(16)}   0.0\n${'TcpCurrEstab'.padEnd(32)}${'1'.padEnd(16)}   0.0\n`);
});

test('fetch --trace --admin: the client side on stderr (SYN_SENT → ESTABLISHED …), the body on stdout', async (t) => {
  if (!needKernel(t, ['python3', 'ss'])) return;
  const ns = await namespace(t);
  const server = ns.spawn('python3', ['-m', 'http.server', '8000', '--bind', '0.0.0.0']);
  const serverLines = new Lines(server);
  void serverLines;
  await waitListening(ns, 8000);
  const child = ns.spawn(process.execPath, [MAIN, 'fetch', ...LINK, '--trace', '--admin', '127.0.0.1:8081', `http://${KERNEL_IP}:8000/`]);
  child.stdin!.end();
  const lines = new Lines(child);
  const { code } = await lines.exit(20_000);
  assert.equal(code, 0, lines.stderr);
  assert.match(lines.stdout, /Directory listing/);
  const trace = lines.stderr.split('\n');
  const states = trace.filter((l) => l.includes(' · ')).map((l) => l.split('  ').pop());
  assert.deepEqual(states.slice(0, 2), ['CLOSED → SYN_SENT', 'SYN_SENT → ESTABLISHED']);
  assert.ok(trace.some((l) => new RegExp(`${esc(SYNACK_IP)}:\\d+ → ${esc(KERNEL_IP)}:8000  SYN seq=\\d+ win=\\d+$`).test(l)));
});

test('connect --trace: nc-like, data on stdout, the client side traced on stderr to CLOSED (or TIME_WAIT)', async (t) => {
  if (!needKernel(t, ['python3', 'ss'])) return;
  const ns = await namespace(t);
  const server = ns.spawn('python3', ['-c', 'import socket\ns = socket.create_server(("0.0.0.0", 7007))\nc, _ = s.accept()\nc.sendall(c.recv(100).upper())\nc.close()']);
  void new Lines(server);
  await waitListening(ns, 7007);
  const child = ns.spawn(process.execPath, [MAIN, 'connect', ...LINK, '--trace', `${KERNEL_IP}:7007`]);
  child.stdin!.end('hello');
  const lines = new Lines(child);
  const { code } = await lines.exit(20_000);
  assert.equal(code, 0, lines.stderr);
  assert.equal(lines.stdout, 'HELLO');
  const states = lines.stderr.split('\n').filter((l) => l.includes(' · ')).map((l) => l.split('  ').pop());
  assert.equal(states[0], 'CLOSED → SYN_SENT');
  assert.equal(states[1], 'SYN_SENT → ESTABLISHED');
  assert.ok(states.includes('FIN_WAIT_1 → FIN_WAIT_2') || states.includes('FIN_WAIT_1 → CLOSING') || states.includes('ESTABLISHED → CLOSE_WAIT'), states.join(', '));
});
