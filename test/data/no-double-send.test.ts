/**
 * Issue 10 #8 on whole transfers: across many seeded lossy transfers no
 * connection puts the same segment (seq, length, flags) on the wire twice at
 * one instant unless one of its timers fired in between. Two causes were
 * found: lost-retransmit detection counting SACKs of data sent before the
 * retransmission (seeds 1, 4, 10 at 5 %; scripted in test/tcp/sack.test.ts),
 * and a new recovery re-sending at once a hole the previous one had just
 * retransmitted (seed 16 at 5 %).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../../src/tcp/connection.js';
import { Sender } from '../../src/tcp/sender.js';
import type { OutSegment } from '../../src/tcp/segment.js';
import { findScenario } from '../../src/sim/catalogue.js';

type Mark = { kind: 'seg'; key: string } | { kind: 'timer' };

/** Run `body` with every Connection's transmissions and timer firings logged per connection and instant. */
function watching(body: () => void): string[] {
  // Every segment leaves through the connection's Sender (sender.ts); the log is kept per Sender, one per connection.
  const proto = Connection.prototype as unknown as { onTimer: (now: number) => void };
  const sendProto = Sender.prototype as unknown as { transmit: (s: OutSegment) => void };
  const origTransmit = sendProto.transmit;
  const origTimer = proto.onTimer;
  const log = new Map<object, { t: number; marks: Mark[] }>();
  const at = (c: object, now: number) => {
    let e = log.get(c);
    if (!e || e.t !== now) log.set(c, (e = { t: now, marks: [] }));
    return e;
  };
  const faults: string[] = [];
  sendProto.transmit = function (this: Sender, s: OutSegment) {
    if (s.payload.length > 0) {
      const now = (this as unknown as { v: { now: number } }).v.now;
      const e = at(this, now);
      const key = `${s.seq}+${s.payload.length}/${s.flags}`;
      const since = e.marks.slice(e.marks.map((m) => m.kind).lastIndexOf('timer') + 1);
      if (since.some((m) => m.kind === 'seg' && m.key === key)) faults.push(`t=${now} ${key}`);
      e.marks.push({ kind: 'seg', key });
    }
    origTransmit.call(this, s);
  };
  proto.onTimer = function (this: Connection, now: number) {
    at((this as unknown as { snd: Sender }).snd, now).marks.push({ kind: 'timer' });
    origTimer.call(this, now);
  };
  try {
    body();
  } finally {
    sendProto.transmit = origTransmit;
    proto.onTimer = origTimer;
  }
  return faults;
}

test('D7/D10 lossy-transfer (seeds 1–25, loss 5 % and 20 %): no segment twice at one instant without a timer in between', () => {
  const sc = findScenario('lossy-transfer')!;
  for (const loss of [0.05, 0.2]) {
    for (let seed = 1; seed <= 25; seed++) {
      const faults = watching(() => void sc.run({ seed, loss }));
      assert.deepEqual(faults, [], `seed ${seed} loss ${loss}`);
    }
  }
});
