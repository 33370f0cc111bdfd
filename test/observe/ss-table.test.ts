import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderCounters, renderSsTable } from '../../src/observe/ss-table.js';

test('ss table: the columns of ss -tan, queues right-aligned, state names as synack spells them', () => {
  const out = renderSsTable([
    { state: 'LISTEN', recvQueue: 0, sendQueue: 128, local: '*:80', remote: '*:*' },
    { state: 'TIME_WAIT', recvQueue: 0, sendQueue: 0, local: '10.0.0.1:40000', remote: '10.0.0.2:80', timer: 'timewait', timerExpiresIn: 59_400 },
    { state: 'CLOSE_WAIT', recvQueue: 1234, sendQueue: 0, local: '10.0.0.2:80', remote: '10.0.0.1:40001' },
  ], { timers: true });
  const lines = out.split('\n');
  assert.match(lines[0]!, /^State\s+Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port\s+Timer$/);
  assert.match(lines[2]!, /^TIME_WAIT\s+0\s+0\s+10\.0\.0\.1:40000\s+10\.0\.0\.2:80\s+timer:\(timewait,59\.4sec\)$/);
  assert.match(lines[3]!, /^CLOSE_WAIT\s+1234\s+0\s+10\.0\.0\.2:80/);
  const col = lines[0]!.indexOf('Recv-Q') + 'Recv-Q'.length;
  assert.equal(lines[3]!.slice(0, col).trimEnd().endsWith('1234'), true, 'Recv-Q is right-aligned');
});

test('netstat -s style counters', () => {
  const out = renderCounters({ ActiveOpens: 3, OutRsts: 1, TimeWaitReopens: 2 });
  assert.match(out, /^Tcp:\n {4}3 active connection openings\n {4}1 resets sent\nTcpExt:\n {4}TimeWaitReopens: 2$/);
});
