/**
 * Beyond node:net parity: node:net's pure helpers on stack.net, and
 * socket.tcpInfo() — what `ss -ti` shows, read from the TCB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeNet from 'node:net';
import { virtualNet } from '../helpers/virtual-net.js';
import type { Socket } from '../../src/net/index.js';

test('stack.net re-exports node:net’s pure helpers: BlockList, SocketAddress, isIP/isIPv4/isIPv6, the autoSelectFamily defaults', () => {
  const n = virtualNet();
  const net = n.a.net;
  assert.equal(net.BlockList, nodeNet.BlockList);
  assert.equal(net.SocketAddress, nodeNet.SocketAddress);
  const bl = new net.BlockList();
  bl.addSubnet('10.0.0.0', 24);
  assert.equal(bl.check('10.0.0.2'), true);
  assert.equal(bl.check('10.0.1.2'), false);
  assert.equal(new net.SocketAddress({ address: '10.0.0.2', port: 80 }).port, 80);
  assert.equal(net.isIP('fd00::1'), 6);
  assert.equal(net.isIPv4('10.0.0.1'), true);
  assert.equal(net.isIPv6('10.0.0.1'), false);
  assert.equal(net.getDefaultAutoSelectFamily(), nodeNet.getDefaultAutoSelectFamily());
  assert.equal(net.getDefaultAutoSelectFamilyAttemptTimeout(), nodeNet.getDefaultAutoSelectFamilyAttemptTimeout());
});

test('socket.tcpInfo(): state, rtt, rto, cwnd, ssthresh, retransmits and both windows, from the TCB; undefined before connect()', async () => {
  const n = virtualNet({ link: { delayMs: 5 } });
  let server: Socket | undefined;
  n.b.net.createServer((s) => {
    server = s;
    s.pipe(s);
  }).listen(80);
  const fresh = new n.a.net.Socket();
  assert.equal(fresh.tcpInfo(), undefined);
  const c = n.a.net.connect(80, '10.0.0.2');
  let echoed = 0;
  c.on('data', (d: Buffer) => (echoed += d.length));
  await n.until(() => !c.connecting && server !== undefined);
  c.write(Buffer.alloc(20_000, 1));
  await n.until(() => echoed === 20_000);
  const info = c.tcpInfo()!;
  assert.equal(info.state, 'ESTABLISHED');
  assert.ok(info.rtt !== undefined && info.rtt >= 10 && info.rtt < 20, `rtt ≈ 2 × 5 ms, got ${info.rtt}`);
  assert.equal(info.rtt, info.srtt);
  assert.ok(info.rto >= 200, `rto has Linux's 200 ms floor, got ${info.rto}`);
  assert.ok(info.cwnd > 0 && info.ssthresh > 0);
  assert.equal(info.retransmits, 0);
  assert.ok(info.sndWnd > 0 && info.rcvWnd > 0);
  assert.ok(info.bytesAcked >= 20_000);
  c.end();
  await n.until(() => c.destroyed);
  assert.equal(c.tcpInfo()!.state, 'TIME_WAIT', 'the TCB outlives the stream; tcpInfo still answers');
});

test('socket.tcpInfo() counts retransmissions when the peer vanishes', async () => {
  const n = virtualNet();
  n.b.net.createServer((s) => s.resume()).listen(80);
  const c = n.a.net.connect(80, '10.0.0.2');
  await n.until(() => !c.connecting);
  n.linkA.setImpairment({ loss: 1 });
  c.write('lost');
  await n.sleep(10_000);
  const info = c.tcpInfo()!;
  assert.ok(info.totalRetrans >= 3, `retransmitted: ${JSON.stringify({ totalRetrans: info.totalRetrans, retransmits: info.retransmits, backoff: info.backoff, rto: info.rto })}`);
  assert.ok(info.retransmits >= 1 && info.backoff >= 1, 'the current loss episode: retransmits and RTO backoff');
  assert.ok(info.rto > 200, `rto grew with the backoff: ${info.rto}`);
  c.destroy();
});
