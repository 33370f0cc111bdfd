import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { startAdmin, type ConnectionJson } from '../../src/apps/admin.js';
import { twoStacks } from '../helpers/two-stacks.js';
import { cli } from '../cli/run-cli.js';

/** A: one connection in TIME_WAIT and one ESTABLISHED with 5 bytes unacknowledged; B listens on 80. */
function scene() {
  const n = twoStacks();
  n.b.listen(80).on('connection', (s) => s.on('end', () => s.close()));
  const c = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  c.close();
  n.settle(100); // A is now in TIME_WAIT
  const d = n.a.connect({ remoteAddress: '10.0.0.2', remotePort: 80 });
  n.settle(100);
  n.linkA.setImpairment({ loss: 1 }); // what A sends now is lost: it stays unacknowledged
  d.write(new TextEncoder().encode('hello'));
  n.settle(50);
  return { n, c, d };
}

test('admin endpoint: /connections and /stats as JSON', async () => {
  const { n, c, d } = scene();
  const server = await startAdmin(n.a, '127.0.0.1', 0);
  try {
    const { port } = server.address() as AddressInfo;
    const conns = (await (await fetch(`http://127.0.0.1:${port}/connections`)).json()) as ConnectionJson[];
    assert.deepEqual(conns.map((r) => r.state).sort(), ['ESTABLISHED', 'TIME_WAIT']);
    const tw = conns.find((r) => r.state === 'TIME_WAIT')!;
    assert.equal(tw.remote, '10.0.0.2:80');
    assert.equal(tw.local, `10.0.0.1:${c.localPort}`);
    assert.equal(tw.info, undefined, 'a TIME_WAIT entry keeps no TCP details');
    const est = conns.find((r) => r.state === 'ESTABLISHED')!;
    assert.equal(est.local, `10.0.0.1:${d.localPort}`);
    assert.equal(est.sendQueue, 5);
    assert.equal(est.timer, 'on');
    assert.ok(est.info, 'an established connection carries what ss -i shows');
    assert.equal(est.info.bytesInFlight, 5);
    assert.ok(est.info.rto >= 200 && est.info.srtt !== undefined && est.info.cwndSegments > 0 && est.info.sndWnd > 0);
    const stats = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as Record<string, number>;
    for (const k of ['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'CurrEstab', 'InSegs', 'OutSegs', 'RetransSegs', 'InErrs', 'OutRsts', 'ListenDrops', 'TCPTimeouts', 'TCPChallengeACK']) {
      assert.equal(typeof stats[k], 'number', k);
    }
    assert.equal(stats.ActiveOpens, 2);
    assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${port}/link`)).status, 404, 'no link counters were given');
  } finally {
    server.close();
  }
});

test('admin endpoint: /link answers with the counters the caller gives (synack serve: TunLink.stats())', async () => {
  const { n } = scene();
  let calls = 0;
  const server = await startAdmin(n.a, '127.0.0.1', 0, () => ({ rxPackets: ++calls, wakes: 7 }));
  try {
    const { port } = server.address() as AddressInfo;
    assert.deepEqual(await (await fetch(`http://127.0.0.1:${port}/link`)).json(), { rxPackets: 1, wakes: 7 });
    assert.deepEqual(await (await fetch(`http://127.0.0.1:${port}/link`)).json(), { rxPackets: 2, wakes: 7 }, 'read afresh on every request');
    assert.match(await (await fetch(`http://127.0.0.1:${port}/nope`)).text(), /or \/link/);
  } finally {
    server.close();
  }
});

test('synack ss, nstat and netstat -s read a running stack through the admin endpoint', async () => {
  const { n, c, d } = scene();
  const server = await startAdmin(n.a, '127.0.0.1', 0);
  try {
    const admin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const run = async (args: string[]): Promise<string[]> => {
      const r = await cli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout.replace(/\n$/, '').split('\n');
    };
    // Default: connections only (TIME-WAIT hidden, as ss does).
    const plain = await run(['ss', '--admin', admin, '-tn']);
    assert.equal(plain[0], 'State Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess', 'ss’s layout: "Port" is wider than the peer port 80');
    assert.equal(plain.length, 2);
    assert.equal(plain[1], `ESTAB 0      5           10.0.0.1:${d.localPort}     10.0.0.2:80         `);
    // -a and -o: the TIME-WAIT row with its timer; the retransmission timer of the other.
    const all = await run(['ss', '--admin', admin, '-tano']);
    assert.match(all.find((l) => l.startsWith('TIME-WAIT'))!, new RegExp(`10\\.0\\.0\\.1:${c.localPort} +10\\.0\\.0\\.2:80 +timer:\\(timewait,(59|60)sec,0\\)$`));
    assert.match(all.find((l) => l.startsWith('ESTAB'))!, / timer:\(on,\d+ms,\d\) *$/);
    // A state filter: no State column; awk '{print $4}' gives the peer, as with ss.
    const tw = await run(['ss', '--admin', admin, '-tn', 'state', 'time-wait']);
    assert.match(tw[0]!, /^Recv-Q Send-Q/);
    assert.deepEqual(tw.slice(1).map((l) => l.trim().split(/\s+/)[3]), ['10.0.0.2:80']);
    // sport/dport filters.
    assert.equal((await run(['ss', '--admin', admin, '-tan', 'dport', '=', ':80'])).length, 3);
    assert.equal((await run(['ss', '--admin', admin, '-tan', `sport = :${d.localPort}`])).length, 2);
    assert.equal((await run(['ss', '--admin', admin, '-tan', '( dport = :81 or sport = :1 )'])).length, 1);
    // -i: the details line, -s: the counts, --rfc-names.
    const info = await run(['ss', '--admin', admin, '-tni']);
    assert.match(info[2]!, /^\t .*rto:\d+ rtt:[\d.]+\/[\d.]+ .*cwnd:\d+ .*unacked:1 .*snd_wnd:\d+/);
    assert.ok((await run(['ss', '--admin', admin, '-s'])).includes('TIME-WAIT    1'));
    assert.match((await run(['ss', '--admin', admin, '-tan', '--rfc-names']))[1]!, /^(ESTABLISHED|TIME_WAIT) /);

    const nstat = await run(['nstat', '--admin', admin, '-az']);
    assert.equal(nstat[0], '#kernel');
    assert.ok(nstat.includes(`${'TcpActiveOpens'.padEnd(32)}${'2'.padEnd(16)}   0.0`));
    assert.ok(nstat.some((l) => /^TcpExtListenDrops +0 /.test(l)));
    assert.ok(nstat.some((l) => /^TcpExtTCPTimeouts +\d+ /.test(l)));
    assert.deepEqual(await run(['nstat', '--admin', admin, 'TcpActiveOpens']), ['#kernel', `${'TcpActiveOpens'.padEnd(32)}${'2'.padEnd(16)}   0.0`]);
    const netstat = await run(['netstat', '-s', '--admin', admin]);
    assert.equal(netstat[0], 'Tcp:');
    assert.equal(netstat[1], '    2 active connection openings');
  } finally {
    server.close();
  }
});
