import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProcNetTcp } from '../../src/doctor/proc-net-tcp.js';
import { parseProcCounters } from '../../src/doctor/proc-counters.js';
import { diagnose, stateCounts } from '../../src/doctor/diagnose.js';
import type { DoctorSocket, Snapshot } from '../../src/doctor/snapshot.js';

// Lines as a little-endian x86 kernel prints them (net/ipv4/tcp_ipv4.c get_tcp4_sock / tcp_ipv6.c).
const TCP4 = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F40 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:9C40 0100007F:1F40 08 00000000:0000000A 00:00000000 00000000  1000        0 4243 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F40 0100007F:9C41 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
   3: 0202000A:0050 0501A8C0:D431 03 00000000:00000000 01:000000C8 00000002     0        0 0 1 0000000000000000
   4: garbage
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 100 0 0 10 0
   1: B80D0120000000000000000001000000:01BB B80D0120000000000000000002000000:C350 01 00000010:00000000 02:00000100 00000000    33        0 100 1 0000000000000000 20 4 30 10 -1
`;

test('/proc/net/tcp: addresses in host byte order, hex ports, states by netstat name, queues, retransmits, inode', () => {
  const { sockets, bad } = parseProcNetTcp(TCP4, true);
  assert.equal(bad, 1);
  assert.deepEqual(
    sockets.map((s) => [s.state, `${s.localAddr}:${s.localPort}`, `${s.remoteAddr}:${s.remotePort}`, s.rxQueue, s.inode]),
    [
      ['LISTEN', '127.0.0.1:8000', '0.0.0.0:0', 3, 4242],
      ['CLOSE_WAIT', '127.0.0.1:40000', '127.0.0.1:8000', 10, 4243],
      ['TIME_WAIT', '127.0.0.1:8000', '127.0.0.1:40001', 0, 0],
      ['SYN_RECV', '10.0.2.2:80', '192.168.1.5:54321', 0, 0],
    ],
  );
  assert.equal(sockets[3].retransmits, 2);
  assert.equal(sockets[2].timer, 3);
});

test('/proc/net/tcp6: four host-order words per address', () => {
  const { sockets } = parseProcNetTcp(TCP6, true);
  assert.equal(`${sockets[0].localAddr} ${sockets[0].localPort}`, '::1 22');
  assert.equal(sockets[1].localAddr, '2001:db8::1');
  assert.equal(sockets[1].remoteAddr, '2001:db8::2');
  assert.equal(sockets[1].remotePort, 50000);
  assert.equal(sockets[1].txQueue, 16);
});

test('/proc/net/snmp and netstat: header/value line pairs become nstat names', () => {
  const c = parseProcCounters('Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoAlgorithm RtoMin ActiveOpens RetransSegs OutSegs\nTcp: 1 200 7 12 3400\nTcpExt: SyncookiesSent ListenOverflows\nTcpExt: 5 2\n');
  assert.equal(c.TcpActiveOpens, 7);
  assert.equal(c.TcpRetransSegs, 12);
  assert.equal(c.TcpExtListenOverflows, 2);
  assert.equal(c.IpDefaultTTL, 64);
});

function snap(sockets: DoctorSocket[], extra: Partial<Snapshot> = {}): Snapshot {
  return { source: 'test', time: 0, sockets, counters: {}, sysctls: { 'net.ipv4.ip_local_port_range': '32768 60999', 'net.ipv4.tcp_max_tw_buckets': '262144' }, unseen: [], ...extra };
}
const sock = (state: DoctorSocket['state'], local: string, remote: string, o: Partial<DoctorSocket> = {}): DoctorSocket => ({
  state,
  local,
  remote,
  localPort: Number(local.split(':').at(-1)),
  remoteAddr: remote.replace(/:\d+$/, ''),
  recvQ: 0,
  sendQ: 0,
  retransmits: 0,
  ...o,
});

test('TIME_WAIT pile: who closed first (listening port or not) and the ephemeral-port arithmetic per destination', () => {
  const s: DoctorSocket[] = [sock('LISTEN', '10.0.0.1:80', '0.0.0.0:0')];
  for (let i = 0; i < 1410; i++) s.push(sock('TIME_WAIT', `10.0.0.1:${33000 + i}`, '10.0.0.9:5432'));
  for (let i = 0; i < 90; i++) s.push(sock('TIME_WAIT', '10.0.0.1:80', `10.0.0.${20 + (i % 5)}:${40000 + i}`));
  const f = diagnose(snap(s)).find((x) => x.id === 'time-wait')!;
  assert.equal(f.count, 1500);
  assert.match(f.detail[0], /^90 on listening ports .* 1410 on ephemeral ports/);
  assert.match(f.detail[1], /10\.0\.0\.1 → 10\.0\.0\.9:5432: 1410 of 28232 ephemeral ports \(32768–60999\) held in TIME_WAIT = 5\.0 %; .* ≥ 23\.5 new connections\/s, and the range runs out at 471 connections\/s/);
  assert.deepEqual(stateCounts(s)[0], ['TIME_WAIT', 1500]);
});

test('CLOSE_WAIT pile by process and port; listen queue; counters since boot or as deltas under --watch', () => {
  const s: DoctorSocket[] = [sock('LISTEN', '0.0.0.0:8080', '0.0.0.0:0', { recvQ: 7, owner: { pid: 42, command: 'app' } })];
  for (let i = 0; i < 12; i++) s.push(sock('CLOSE_WAIT', '10.0.0.1:8080', `10.0.0.2:${50000 + i}`, { owner: { pid: 42, command: 'app' } }));
  const prev = snap([], { counters: { TcpExtListenOverflows: 10 }, time: 0 });
  const now = snap(s, { counters: { TcpExtListenOverflows: 15 }, time: 5000 });
  const fs = diagnose(now, prev);
  assert.deepEqual(fs.find((f) => f.id === 'close-wait')!.detail, ['app[42] local port 8080: 12']);
  const lq = fs.find((f) => f.id === 'listen-queue')!;
  assert.ok(lq.detail.includes('0.0.0.0:8080 (app[42]): 7 connections waiting in the accept queue'));
  assert.ok(lq.detail.includes('TcpExtListenOverflows +5 in 5 s'));
  assert.equal(diagnose(snap(s.slice(0, 5))).find((f) => f.id === 'close-wait'), undefined, 'four are not a pile');
});
