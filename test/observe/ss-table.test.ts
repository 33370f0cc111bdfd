import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInfo, formatTimer, renderSsSummary, renderSsTable, ssStateName, ssTimerText, type SsInfo, type SsRow } from '../../src/observe/ss-table.js';

// The kernel's sockets of a namespace with `python3 -m http.server --bind 127.0.0.1 8080` and a few curls,
// printed by iproute2 6.1 `ss -tan` / `ss -tano` into a pipe (so: no terminal-width spreading). synack must
// print the same rows byte for byte, trailing spaces included.
const ROWS: SsRow[] = [
  { state: 'LISTEN', recvQueue: 0, sendQueue: 5, local: '127.0.0.1:8080', remote: '0.0.0.0:*' },
  { state: 'ESTABLISHED', recvQueue: 0, sendQueue: 0, local: '127.0.0.1:8080', remote: '127.0.0.1:37762' },
  { state: 'TIME_WAIT', recvQueue: 0, sendQueue: 0, local: '127.0.0.1:8080', remote: '127.0.0.1:37746', timer: 'timewait', timerExpiresIn: 59_400 },
  { state: 'TIME_WAIT', recvQueue: 0, sendQueue: 0, local: '127.0.0.1:37748', remote: '127.0.0.1:8080', timer: 'timewait', timerExpiresIn: 59_100 },
  { state: 'ESTABLISHED', recvQueue: 0, sendQueue: 0, local: '127.0.0.1:37762', remote: '127.0.0.1:8080' },
];

test('ss -tan: the same bytes as iproute2 6.1 prints, trailing spaces included', () => {
  const expected = [
    'State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
    'LISTEN    0      5          127.0.0.1:8080       0.0.0.0:*           ',
    'ESTAB     0      0          127.0.0.1:8080     127.0.0.1:37762       ',
    'TIME-WAIT 0      0          127.0.0.1:8080     127.0.0.1:37746       ',
    'TIME-WAIT 0      0          127.0.0.1:37748    127.0.0.1:8080        ',
    'ESTAB     0      0          127.0.0.1:37762    127.0.0.1:8080        ',
  ].join('\n');
  assert.equal(renderSsTable(ROWS), expected);
});

test('ss -tano: timers in the Process column, as ss prints them', () => {
  const expected = [
    'State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process                  ',
    'LISTEN    0      5          127.0.0.1:8080       0.0.0.0:*                             ',
    'ESTAB     0      0          127.0.0.1:8080     127.0.0.1:37762                         ',
    'TIME-WAIT 0      0          127.0.0.1:8080     127.0.0.1:37746 timer:(timewait,59sec,0)',
    'TIME-WAIT 0      0          127.0.0.1:37748    127.0.0.1:8080  timer:(timewait,59sec,0)',
    'ESTAB     0      0          127.0.0.1:37762    127.0.0.1:8080                          ',
  ].join('\n');
  assert.equal(renderSsTable(ROWS, { timers: true }), expected);
});

test('ss state time-wait: one state selected, so no State column (as ss); awk $4 is still the peer', () => {
  const out = renderSsTable(ROWS.filter((r) => r.state === 'TIME_WAIT'), { stateColumn: false });
  assert.equal(out, ['Recv-Q Send-Q Local Address:Port  Peer Address:Port Process', '0      0          127.0.0.1:8080     127.0.0.1:37746       ', '0      0          127.0.0.1:37748    127.0.0.1:8080        '].join('\n'));
  assert.deepEqual(out.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[3]), ['127.0.0.1:37746', '127.0.0.1:8080']);
});

test('ss with nothing to show: the header alone, "PortProcess" run together as ss does', () => {
  assert.equal(renderSsTable([], { stateColumn: false }), 'Recv-Q Send-Q Local Address:Port Peer Address:PortProcess');
  assert.equal(renderSsTable([], { noHeader: true }), '');
});

test('state names: iproute2 by default, RFC 9293 on request', () => {
  const pairs: Array<[string, string]> = [
    ['ESTABLISHED', 'ESTAB'],
    ['SYN_SENT', 'SYN-SENT'],
    ['SYN_RCVD', 'SYN-RECV'],
    ['FIN_WAIT_1', 'FIN-WAIT-1'],
    ['FIN_WAIT_2', 'FIN-WAIT-2'],
    ['TIME_WAIT', 'TIME-WAIT'],
    ['CLOSE_WAIT', 'CLOSE-WAIT'],
    ['LAST_ACK', 'LAST-ACK'],
    ['CLOSING', 'CLOSING'],
    ['LISTEN', 'LISTEN'],
    ['CLOSED', 'UNCONN'],
  ];
  for (const [rfc, ss] of pairs) {
    assert.equal(ssStateName(rfc), ss);
    assert.equal(ssStateName(rfc, true), rfc);
  }
  assert.match(renderSsTable(ROWS, { rfcNames: true }).split('\n')[3]!, /^TIME_WAIT {3}0/);
});

test('ss timer text: print_ms_timer, quirks and all', () => {
  assert.equal(ssTimerText(59_400), '59sec');
  assert.equal(ssTimerText(5_376), '5.376ms'); // ss's way of writing 5.376 s
  assert.equal(ssTimerText(200), '200ms');
  assert.equal(ssTimerText(60_000), '1min');
  assert.equal(ssTimerText(7_199_000), '119min');
  assert.equal(ssTimerText(65_500), '1min5sec');
  assert.equal(formatTimer('on', 204, 2), 'timer:(on,204ms,2)');
  assert.equal(formatTimer('fin_wait_2', 30_000), 'timer:(timewait,30sec,0)', 'an orphan FIN_WAIT_2 is a timewait socket in Linux');
  assert.equal(formatTimer('delack', 40), '', 'ss shows no delayed-ACK timer');
  assert.equal(formatTimer('off', undefined), '');
});

const INFO: SsInfo = {
  rto: 204,
  srtt: 3.5,
  rttvar: 1.25,
  minRtt: 2,
  backoff: 0,
  ato: 40,
  mss: 1460,
  rcvMss: 536,
  advMss: 1460,
  cwndSegments: 10,
  ssthreshSegments: 7,
  cwnd: 14600,
  sndWnd: 64240,
  rcvWnd: 65535,
  congestionControl: 'cubic',
  options: { wscale: [7, 7], sack: true, timestamps: true },
  bytesSent: 3000,
  bytesRetrans: 1460,
  bytesAcked: 1541,
  bytesReceived: 10,
  segsOut: 5,
  segsIn: 4,
  dataSegsOut: 3,
  dataSegsIn: 1,
  bytesInFlight: 1460,
  retransmits: 1,
  totalRetrans: 2,
  lost: 0,
  sacked: 0,
  lastSendAgo: 12,
  lastRecvAgo: 8,
  lastAckAgo: 8,
};

test('ss -i: the details in ss order, rtt/rto/cwnd/ssthresh/retrans/windows', () => {
  assert.equal(
    formatInfo(INFO),
    'ts sack cubic wscale:7,7 rto:204 rtt:3.5/1.25 ato:40 mss:1460 rcvmss:536 advmss:1460 cwnd:10 ssthresh:7 bytes_sent:3000 bytes_retrans:1460 bytes_acked:1541 bytes_received:10 segs_out:5 segs_in:4 data_segs_out:3 data_segs_in:1 send 33.4Mbps lastsnd:12 lastrcv:8 lastack:8 unacked:1 retrans:1/2 minrtt:2 snd_wnd:64240 rcv_wnd:65535',
  );
  const lines = renderSsTable([{ ...ROWS[1]!, info: INFO }, ROWS[2]!], { info: true }).split('\n');
  assert.equal(lines.length, 5, 'each socket takes two lines');
  assert.match(lines[2]!, /^\t ts sack cubic wscale:7,7 rto:204 rtt:3\.5\/1\.25 /);
  assert.match(lines[4]!, /^\t *$/, 'a TIME-WAIT socket has no details, as in ss');
});

test('ss -s: the TCP totals ss prints, then a count per state', () => {
  const out = renderSsSummary(ROWS);
  assert.match(out, /^Total: 5\nTCP: {3}5 \(estab 2, closed 0, orphaned 0, timewait 2\)\n\nTransport Total {5}IP {8}IPv6 {5}\nTCP\t  3 {9}3 {9}0 {8}\n/);
  assert.match(out, /^ESTAB {8}2$/m);
  assert.match(out, /^TIME-WAIT {4}2$/m);
  assert.match(out, /^LISTEN {7}1$/m);
  assert.match(out, /^CLOSE-WAIT {3}0$/m);
});

test('ss -s: orphaned counts the connections their application has closed, as Linux (/proc/net/sockstat orphan)', () => {
  const rows = [...ROWS, { state: 'FIN_WAIT_2', recvQueue: 0, sendQueue: 0, local: '10.0.0.1:80', remote: '10.0.0.9:5000', orphan: true }];
  assert.match(renderSsSummary(rows), /^TCP: {3}6 \(estab 2, closed 0, orphaned 1, timewait 2\)$/m);
});
