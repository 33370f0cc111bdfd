/**
 * TIME_WAIT kept as a row of the stack's table (stack/time-wait-table.ts):
 * no TCB, Entry or socket per entry, and still every TIME_WAIT behaviour —
 * C8 (retransmitted FIN ACKed, 2MSL restarted), the trace and the socket's
 * events at the end, abort, over IPv4 and IPv6.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twoStacks } from '../helpers/two-stacks.js';
import type { Stack } from '../../src/stack/stack.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import { parseTcpPacket } from '../../src/wire/packet.js';
import { ACK, FIN } from '../../src/wire/flags.js';

/** Full TCBs the stack holds (its demux), and TIME_WAIT rows. */
function held(s: Stack): { entries: number; rows: number } {
  const r = s as unknown as { conns: { size: number }; timeWait: { size: number } };
  return { entries: r.conns.size, rows: r.timeWait.size };
}

for (const v6 of [false, true]) {
  test(`C8 ${v6 ? 'IPv6' : 'IPv4'}: a TIME_WAIT row ACKs the peer's retransmitted FIN and restarts 2MSL; then TIME_WAIT → CLOSED is traced and told to the socket`, () => {
    let lost = 0;
    const n = twoStacks({
      v6,
      tcp: { delayedAck: false },
      link: {
        // Lose A's first bare ACK of B's FIN: B, in LAST_ACK, retransmits its FIN.
        drop: ({ packet, direction }) => {
          const r = parseTcpPacket(packet);
          if (direction !== 'a->b' || !r.ok || lost > 0 || r.value.tcp.flags !== ACK || r.value.tcp.payload.length > 0 || r.value.tcp.ack === 0) return false;
          if (!n.b.connections().some((row) => row.state === 'LAST_ACK')) return false;
          lost++;
          return true;
        },
      },
    });
    const servers: TcpSocket[] = [];
    n.b.listen(80).on('connection', (s) => {
      servers.push(s);
      s.on('end', () => s.close());
    });
    const c = n.a.connect({ remoteAddress: v6 ? 'fd00::2' : '10.0.0.2', remotePort: 80 });
    const events: string[] = [];
    c.on('state', (from, to) => events.push(`${from}>${to}`));
    c.on('close', () => events.push('close'));
    n.settle(100);
    c.close();
    n.clock.runUntilIdle({ maxTime: n.clock.now() + 100 });
    assert.equal(lost, 1);
    assert.equal(c.state, 'TIME_WAIT');
    assert.deepEqual(held(n.a), { entries: 0, rows: 1 }, 'TIME_WAIT is a row, the TCB and its entry are gone');
    const row = n.a.connections().find((r) => r.state === 'TIME_WAIT')!;
    assert.equal(row.remote, v6 ? '[fd00::2]:80' : '10.0.0.2:80');
    assert.equal(row.timer, 'timewait');
    // B's RTO retransmits the FIN; A's row answers, B closes.
    n.clock.runUntilIdle({ maxTime: n.clock.now() + 5000 });
    assert.equal(servers[0]!.state, 'CLOSED');
    const finAgain = n.trace.filter((e) => e.type === 'segment' && e.stack === 'B' && e.dir === 'out' && e.flags.includes('FIN'));
    assert.equal(finAgain.length, 2, 'the FIN went twice');
    const rtxAt = finAgain[1]!.t;
    const acks = n.trace.filter((e) => e.type === 'segment' && e.stack === 'A' && e.dir === 'out' && e.t >= rtxAt);
    assert.equal(acks.length, 1);
    assert.equal(acks[0]!.type === 'segment' && acks[0]!.flags, 'ACK');
    n.settle(120_000);
    const end = n.trace.find((e) => e.type === 'state' && e.stack === 'A' && e.from === 'TIME_WAIT')!;
    assert.equal(end.type === 'state' && end.to, 'CLOSED');
    assert.ok(end.t - rtxAt >= 60_000 && end.t - rtxAt <= 60_010, `2MSL counted from the retransmitted FIN (${end.t - rtxAt} ms)`);
    assert.equal(c.state, 'CLOSED');
    assert.deepEqual(events.slice(-2), ['TIME_WAIT>CLOSED', 'close']);
    assert.deepEqual(held(n.a), { entries: 0, rows: 0 });
  });
}

test('C7 a socket in TIME_WAIT: abort ends the row at once (traced), ss and info agree, and the 4-tuple is free again', () => {
  const n = twoStacks({ tcp: { delayedAck: false } });
  n.b.listen(80).on('connection', (s) => s.on('end', () => s.close()));
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80, localPort: 40000 });
  n.settle(100);
  c.close();
  n.settle(100);
  assert.equal(c.state, 'TIME_WAIT');
  assert.equal(c.info().timer, 'timewait');
  assert.throws(() => n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80, localPort: 40000 }), (e: { code?: string }) => e.code === 'EADDRINUSE');
  c.abort();
  assert.equal(c.state, 'CLOSED');
  assert.equal(c.info().state, 'CLOSED');
  assert.deepEqual(n.states('A').slice(-1), ['TIME_WAIT>CLOSED']);
  assert.deepEqual(held(n.a), { entries: 0, rows: 0 });
  const again = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80, localPort: 40000 });
  n.settle(100);
  assert.equal(again.state, 'ESTABLISHED');
  assert.equal(n.a.stats().CurrEstab, 1);
});
