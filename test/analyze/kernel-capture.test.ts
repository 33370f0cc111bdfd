/**
 * Kernel-to-kernel TCP captured with tcpdump inside a network namespace this
 * test creates (Linux's own stack on both ends, over the namespace's
 * loopback), then analyzed and checked against `ss` in the same namespace:
 * curl against python3 -m http.server, a
 * half-close, a close with unread data (RST) and a refused port. Three
 * captures of the same traffic: Ethernet (lo), Linux cooked SLL2 (any) and
 * Ethernet cut by an 80-byte snaplen; all three must give the same analysis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Netns } from '../fixtures/netns.js';
import { analyzeFile, type Analysis } from '../../src/analyze/analyze.js';
import { findFindings } from '../../src/analyze/findings.js';
import { summarize } from '../../src/analyze/summary.js';
import { rootTestUnavailable } from './requirements.js';

const skip = await rootTestUnavailable(['ip', 'tcpdump', 'curl', 'python3']);

const CLIENTS = String.raw`
import socket, threading, time
def listener(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port)); s.listen(); return s
def half_close_server(ls):
    c, _ = ls.accept(); data = b''
    while True:
        d = c.recv(4096)
        if not d: break
        data += d
    for i in range(3):
        time.sleep(0.05); c.sendall(b'reply after your FIN %d: ' % i + data)
    time.sleep(0.05); c.close()
def unread_server(ls):
    c, _ = ls.accept(); c.sendall(b'x' * 1000); time.sleep(0.3)
    try: c.recv(10)
    except OSError: pass
    c.close()
l1, l2 = listener(8001), listener(8002)
t1 = threading.Thread(target=half_close_server, args=(l1,)); t1.start()
t2 = threading.Thread(target=unread_server, args=(l2,)); t2.start()
c = socket.create_connection(('127.0.0.1', 8001)); c.sendall(b'hello'); c.shutdown(socket.SHUT_WR)
got = b''
while True:
    d = c.recv(4096)
    if not d: break
    got += d
c.close()
c = socket.create_connection(('127.0.0.1', 8002)); time.sleep(0.1); c.close()
try:
    socket.create_connection(('127.0.0.1', 8003), timeout=2); print('connected?!')
except ConnectionRefusedError:
    print('refused')
t1.join(); t2.join(); print('done', len(got))
`;

function byPort(an: Analysis, port: number) {
  const c = an.connections.filter((x) => x.names[1] === `127.0.0.1:${port}`);
  assert.equal(c.length, 1, `one connection to port ${port}`);
  return c[0];
}
const path = (an: Analysis, port: number, end: 0 | 1) =>
  byPort(an, port)
    .ends[end].path.filter((t) => !t.inferred)
    .map((t) => t.to);

test('kernel captures (tcpdump in a namespace): curl vs http.server, half-close, RST on unread data, refused port', { skip, timeout: 60_000 }, async (t) => {
  const ns = await Netns.create('analyze');
  const dir = mkdtempSync(join(tmpdir(), 'synack-kcap-'));
  try {
    const http = ns.spawn('python3', ['-m', 'http.server', '8000', '--bind', '127.0.0.1', '--directory', dir]);
    let up = false;
    for (let i = 0; i < 50 && !up; i++) {
      up = (await ns.exec('ss', ['-Htln', 'sport = :8000'])).includes('8000');
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(up, 'http.server listening');
    const files = { lo: join(dir, 'lo.pcap'), any: join(dir, 'any.pcap'), snap: join(dir, 'snap.pcap') };
    const dumps = [
      ns.spawn('tcpdump', ['-i', 'lo', '-n', '--immediate-mode', '-w', files.lo, 'tcp']),
      ns.spawn('tcpdump', ['-i', 'any', '-n', '--immediate-mode', '-w', files.any, 'tcp']),
      ns.spawn('tcpdump', ['-i', 'lo', '-n', '--immediate-mode', '-s', '80', '-w', files.snap, 'tcp']),
    ];
    const stderrs = dumps.map(() => '');
    await Promise.all(
      dumps.map(
        (d, i) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${stderrs[i]}`)), 10_000);
            d.stderr!.on('data', (b: Buffer) => {
              stderrs[i] += b.toString();
              if (stderrs[i].includes('listening on')) {
                clearTimeout(timer);
                resolve();
              }
            });
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 200)); // "listening on" comes just before the socket is bound
    const code = await ns.exec('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:8000/'], 10_000);
    assert.equal(code, '200');
    const out = await ns.exec('python3', ['-c', CLIENTS], 20_000);
    assert.match(out, /refused\ndone \d+/);
    await new Promise((r) => setTimeout(r, 500));
    // The kernel's own word on who closed first: the TIME-WAIT sockets left in the namespace.
    const tw = (await ns.exec('ss', ['-Htan', 'state', 'time-wait'])).trim().split('\n').map((l) => l.trim().split(/\s+/).slice(-2).join(' '));
    for (const d of dumps) {
      const exited = d.exitCode === null ? once(d, 'exit') : Promise.resolve();
      d.kill('SIGINT');
      await exited;
    }
    http.kill('SIGKILL');

    const analyses = [files.lo, files.any, files.snap].map((f) => analyzeFile(f));
    const complete: Analysis[] = [];
    for (const [i, an] of analyses.entries()) {
      // The reader sees every packet tcpdump says it wrote. Where the kernel dropped packets before
      // tcpdump saw them (this VM's "any" capture sometimes does), the analysis is not held to the traffic.
      const captured = Number(/(\d+) packets? captured/.exec(stderrs[i])?.[1]);
      const dropped = Number(/(\d+) packets? dropped by kernel/.exec(stderrs[i])?.[1]);
      assert.equal(an.counts.frames, captured, `capture ${i}: frames read = packets tcpdump captured`);
      assert.equal(an.counts.tcp, captured);
      if (dropped === 0) complete.push(an);
      else t.diagnostic(`capture ${i}: the kernel dropped ${dropped} packets before tcpdump; not analyzed`);
    }
    const [lo, any, snap] = analyses;
    assert.equal(lo.read.format, 'pcap');
    assert.ok(complete.includes(lo), 'the loopback capture is complete');
    assert.equal(any.counts.frames > 0, true, 'SLL2 frames decoded');
    assert.ok(snap.counts.truncated > 0, 'the 80-byte snaplen cut the HTTP payloads');

    for (const an of complete) {
      // curl vs http.server (HTTP/1.0): either may close first, or both at once (a race). Whoever closed
      // first holds TIME_WAIT — exactly the ends ss lists in TIME-WAIT; the other went LAST_ACK → CLOSED.
      const web = summarize(byPort(an, 8000), an.start, an.end);
      const inTw = (me: string, peer: string) => tw.includes(`${me} ${peer}`);
      assert.equal(web.finalA === 'TIME_WAIT', inTw(web.a, web.b), `A ${web.finalA}, ss: ${tw.join(' | ')}`);
      assert.equal(web.finalB === 'TIME_WAIT', inTw(web.b, web.a), `B ${web.finalB}, ss: ${tw.join(' | ')}`);
      const closerEnd: 0 | 1 = web.closer === web.a ? 0 : 1;
      assert.equal(closerEnd === 0 ? web.finalA : web.finalB, 'TIME_WAIT');
      if (web.close === 'simultaneous') assert.deepEqual([web.finalA, web.finalB], ['TIME_WAIT', 'TIME_WAIT']);
      else assert.deepEqual(path(an, 8000, closerEnd === 0 ? 1 : 0).slice(-3), ['CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
      assert.ok(web.bytesBtoA > 100 && web.bytesAtoB > 50, `bytes ${web.bytesAtoB}/${web.bytesBtoA} (counted from IP lengths even when cut)`);
      // Half-close: the client's FIN first; it still receives three replies in FIN_WAIT_2.
      assert.deepEqual(path(an, 8001, 0), ['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT']);
      assert.deepEqual(path(an, 8001, 1), ['SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
      assert.ok(tw.includes(`${byPort(an, 8001).names[0]} 127.0.0.1:8001`), 'ss: the half-closing client is in TIME-WAIT');
      // Close with 1000 unread bytes: Linux sends RST, both ends CLOSED at once.
      const rst = summarize(byPort(an, 8002), an.start, an.end);
      assert.equal(rst.close, 'reset');
      assert.deepEqual(path(an, 8002, 0), ['SYN_SENT', 'ESTABLISHED', 'CLOSED']);
      assert.deepEqual(path(an, 8002, 1), ['SYN_RCVD', 'ESTABLISHED', 'CLOSED']);
      const f = findFindings(an).find((x) => x.id === 'rst-on-close');
      assert.ok(f && /unread/.test(f.detail), 'RST on close with unread data is a finding');
      // Refused port: RST,ACK to the SYN.
      assert.equal(summarize(byPort(an, 8003), an.start, an.end).close, 'refused');
      assert.deepEqual(path(an, 8003, 0), ['SYN_SENT', 'CLOSED']);
    }
  } finally {
    await ns.delete();
    rmSync(dir, { recursive: true, force: true });
  }
});
