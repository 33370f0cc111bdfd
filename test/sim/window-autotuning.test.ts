import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, path, run, segments } from './doc-helpers.js';

test('window-autotuning (P1): B’s advertised window grows round trip by round trip past 1 MiB and its right edge never moves left; A’s data follows; both ends close normally', () => {
  const doc = run('window-autotuning');
  const fromB = segments(doc, 'B');
  const synAck = fromB[0]!;
  assert.equal(synAck.flags, 'SYN,ACK');
  assert.equal(synAck.win, 65535, 'the SYN-ACK offers 64 KiB (its window is never scaled)');
  const scale = synAck.options!.wscale!;
  assert.equal(scale, 10, 'B may grow to tcp_rmem[2] = 32 MiB: scale 10, as Linux');
  // The window B offers, per 100 ms round trip (the largest offer in each).
  const perRtt = new Map<number, number>();
  let edge = 0;
  for (const s of fromB.slice(1)) {
    const wnd = s.win! * 2 ** scale;
    const right = ((s.ack - synAck.ack) >>> 0) + wnd; // relative to B's first RCV.NXT: a 3 MiB transfer never wraps
    assert.ok(right >= edge, `B's right edge moved left at ${s.t} ms: ${right} < ${edge}`);
    edge = right;
    const round = Math.floor(s.t / 100);
    perRtt.set(round, Math.max(perRtt.get(round) ?? 0, wnd));
  }
  const rounds = [...perRtt.entries()].sort((x, y) => x[0] - y[0]).map(([, w]) => w);
  assert.ok(rounds[0]! <= 128 * 1024, `the first round offers tcp_rmem[1] at most (${rounds[0]})`);
  const past1MiB = rounds.findIndex((w) => w > 1 << 20);
  assert.ok(past1MiB > 0 && past1MiB <= 6, `past 1 MiB within 6 round trips of the first data (round ${past1MiB}: ${rounds.join(' ')})`);
  for (let i = 2; i <= past1MiB; i++) assert.ok(rounds[i]! > rounds[i - 1]!, `grows every round trip while the transfer ramps up: ${rounds.join(' ')}`);
  // A is not held back by the window: its flights grow with it (more data per round trip, round by round).
  const dataA = segments(doc, 'A').filter((s) => s.len > 0);
  const perRound = new Map<number, number>();
  for (const s of dataA) perRound.set(Math.floor(s.t / 100), (perRound.get(Math.floor(s.t / 100)) ?? 0) + s.len);
  assert.ok(Math.max(...perRound.values()) > 512 * 1024, 'A sends more than the initial 128 KiB window per round trip');
  assert.ok(dataA.every((s) => !s.rtx && !s.dropped), 'nothing lost, nothing retransmitted');
  assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'TIME_WAIT', 'CLOSED'], 'B’s FIN carries the ACK of A’s (C4)');
  assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
  assert.deepEqual(errors(doc), []);
});
