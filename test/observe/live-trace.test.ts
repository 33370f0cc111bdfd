import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLinkDrop, formatTraceLine } from '../../src/observe/live-trace.js';
import { twoStacks } from '../helpers/two-stacks.js';

test('live trace: one line per event, both directions, in the ladder’s words (a handshake and a close)', () => {
  const n = twoStacks();
  const lines: string[] = [];
  n.b.on('trace', (ev) => lines.push(formatTraceLine(ev, 0)));
  n.b.listen(80).on('connection', (s) => s.on('end', () => s.close()));
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  c.close();
  n.settle(100);
  const p = c.localPort;
  const isn = (re: RegExp): string => re.exec(lines.join('\n'))![1]!;
  const a = isn(/SYN seq=(\d+)/);
  const b = isn(/SYN,ACK seq=(\d+)/);
  const plus = (x: string, k: number): number => (Number(x) + k) >>> 0;
  const win = / win=\d+$/;
  const body = lines.map((l) => l.replace(/^ +[\d.]+ ms {2}/, '').replace(win, ''));
  assert.deepEqual(body, [
    '*:80 · *:*  CLOSED → LISTEN',
    `10.0.0.2:80 ← 10.0.0.1:${p}  SYN seq=${a}`,
    `10.0.0.2:80 · 10.0.0.1:${p}  LISTEN → SYN_RCVD`,
    `10.0.0.2:80 → 10.0.0.1:${p}  SYN,ACK seq=${b} ack=${plus(a, 1)}`,
    `10.0.0.2:80 ← 10.0.0.1:${p}  ACK seq=${plus(a, 1)} ack=${plus(b, 1)}`,
    `10.0.0.2:80 · 10.0.0.1:${p}  SYN_RCVD → ESTABLISHED`,
    `10.0.0.2:80 ← 10.0.0.1:${p}  FIN,ACK seq=${plus(a, 1)} ack=${plus(b, 1)}`,
    `10.0.0.2:80 · 10.0.0.1:${p}  ESTABLISHED → CLOSE_WAIT`,
    `10.0.0.2:80 · 10.0.0.1:${p}  CLOSE_WAIT → LAST_ACK`,
    `10.0.0.2:80 → 10.0.0.1:${p}  FIN,ACK seq=${plus(b, 1)} ack=${plus(a, 2)}`,
    `10.0.0.2:80 ← 10.0.0.1:${p}  ACK seq=${plus(a, 2)} ack=${plus(b, 2)}`,
    `10.0.0.2:80 · 10.0.0.1:${p}  LAST_ACK → CLOSED`,
  ]);
  for (const l of lines.filter((x) => !x.includes(' · '))) assert.match(l, win, 'every segment shows its window');
  assert.match(lines[0]!, /^ {5}0\.000 ms {2}/, 'time in ms since the start, three decimals');
});

test('live trace: retransmissions are marked rtx; link drops are ✕ lost with the reason', () => {
  let dropped = false;
  const n = twoStacks({ tcp: { synRetries: 2 }, link: { drop: () => (dropped ? false : (dropped = true)) } });
  const lines: string[] = [];
  n.a.on('trace', (ev) => lines.push(formatTraceLine(ev, 0)));
  n.b.listen(80);
  n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(5000);
  const syns = lines.filter((l) => / → 10\.0\.0\.2:80 {2}SYN seq=/.test(l));
  assert.equal(syns.length, 2, 'the first SYN was lost, the second is its retransmission');
  assert.doesNotMatch(syns[0]!, / rtx$/);
  assert.match(syns[1]!, / win=\d+ rtx$/);
  assert.equal(
    formatLinkDrop({ t: 1500, dir: 'in', local: '10.0.0.2:80', remote: '10.0.0.1:40000', flags: 'PSH,ACK', seq: 7, ack: 9, len: 5, reason: 'loss' }, 1000),
    "   500.000 ms  10.0.0.2:80 ← 10.0.0.1:40000  ✕ lost PSH,ACK seq=7 ack=9 len=5 (the link's impairment)",
  );
});
