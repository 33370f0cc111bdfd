/** The discard service (RFC 863), plain and half-closing, on two in-memory stacks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDiscard } from '../../src/apps/discard.js';
import type { ServiceEvent } from '../../src/apps/service.js';
import { realNet } from '../helpers/real-net.js';

/** Poll `cond` every 5 ms for at most `ms`. */
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const serverStates = (stack: { connections(): Array<{ state: string }> }): string[] => stack.connections().filter((r) => r.state !== 'LISTEN').map((r) => r.state);

function closeEvent(events: ServiceEvent[]): Promise<Extract<ServiceEvent, { type: 'close' }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no close event')), 5000);
    const poll = setInterval(() => {
      const e = events.find((x) => x.type === 'close');
      if (e) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(e as Extract<ServiceEvent, { type: 'close' }>);
      }
    }, 5);
  });
}

test('discard: reads everything, sends nothing, closes after the client does', async () => {
  const n = realNet();
  try {
    const events: ServiceEvent[] = [];
    const d = await startDiscard(n.b.net, 9, { onEvent: (e) => events.push(e) });
    const c = n.a.net.connect(9, '10.0.0.2');
    let received = 0;
    c.on('data', (b: Buffer) => (received += b.length));
    const closedClient = new Promise<void>((resolve) => c.once('close', resolve));
    c.end(Buffer.alloc(500_000, 7));
    await closedClient;
    const closed = await closeEvent(events);
    assert.equal(received, 0);
    assert.equal(closed.bytesIn, 500_000);
    assert.equal(closed.bytesOut, 0);
    await d.close();
  } finally {
    n.close();
  }
});

test('discard --half-close: the server FINs first (client sees EOF, server FIN_WAIT_2) and still takes the client’s data', async () => {
  const n = realNet();
  try {
    const events: ServiceEvent[] = [];
    const d = await startDiscard(n.b.net, 9, { halfClose: true, onEvent: (e) => events.push(e) });
    const c = n.a.net.connect({ port: 9, host: '10.0.0.2', allowHalfOpen: true });
    c.resume();
    await new Promise<void>((resolve) => c.once('end', resolve));
    assert.equal(c.tcpState, 'CLOSE_WAIT');
    await until(() => serverStates(n.b).join() === 'FIN_WAIT_2', 'server FIN_WAIT_2'); // once our ACK of its FIN arrives
    const closedClient = new Promise<void>((resolve) => c.once('close', resolve));
    c.end(Buffer.alloc(300_000, 1)); // data into the half-closed connection, then our FIN
    await closedClient;
    const closed = await closeEvent(events);
    assert.equal(closed.bytesIn, 300_000);
    assert.equal(closed.error, undefined);
    await until(() => serverStates(n.b).join() === 'TIME_WAIT', 'server TIME_WAIT: it closed first');
    await d.close();
  } finally {
    n.close();
  }
});
