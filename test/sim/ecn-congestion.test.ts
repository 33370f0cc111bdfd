import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, path, run, segments } from './doc-helpers.js';

test('ecn-congestion: ECN negotiated (A asks, B accepts), the queue marks CE instead of dropping, B echoes ECE until A’s CWR, A’s cwnd falls with no loss and no retransmission; both ends close normally', () => {
  for (const seed of [1, 2, 3]) {
    const doc = run('ecn-congestion', { seed });
    const a = segments(doc, 'A');
    const b = segments(doc, 'B');
    // RFC 3168 §6.1.1: SYN with ECE+CWR, SYN-ACK with ECE; neither is ECN-capable on the IP level.
    assert.equal(a[0]!.flags, 'SYN');
    assert.equal(a[0]!.ecnFlags, 'ECE,CWR');
    assert.equal(b[0]!.flags, 'SYN,ACK');
    assert.equal(b[0]!.ecnFlags, 'ECE');
    assert.equal(a[0]!.ecn, undefined);
    assert.equal(b[0]!.ecn, undefined);
    // Every data segment of A left ECT(0); the queue marked some of them CE; nothing was lost or sent twice.
    const data = a.filter((s) => s.len > 0);
    assert.ok(data.every((s) => s.ecn === 'ECT(0)' || s.ecn === 'CE'), `seed ${seed}: data is ECN-capable`);
    const marked = data.filter((s) => s.ecn === 'CE');
    assert.ok(marked.length > 0, 'CE marks');
    assert.deepEqual(segments(doc).filter((s) => s.dropped || s.rtx), [], `seed ${seed}: no loss, no retransmission`);
    // B's pure ACKs are Not-ECT; from the first CE mark on they carry ECE, until A's CWR reaches B.
    assert.ok(b.every((s) => s.len > 0 || s.ecn === undefined), 'pure ACKs are Not-ECT');
    const firstEce = b.find((s) => s.ecnFlags === 'ECE' && !s.flags.includes('SYN'));
    assert.ok(firstEce && firstEce.t >= marked[0]!.t, 'B echoes the mark');
    const cwr = data.find((s) => s.ecnFlags === 'CWR');
    assert.ok(cwr && cwr.t > firstEce.t, 'A answers with CWR on new data');
    // The note on the CWR segment: A's cwnd fell (a cut, not a reset to one segment: no RTO).
    const m = /^cwnd (\d+)→(\d+) segments/.exec(cwr.note ?? '');
    assert.ok(m, `note on the CWR segment: ${cwr.note}`);
    assert.ok(Number(m[2]) < Number(m[1]) && Number(m[2]) > 1, `cwnd ${m[1]} → ${m[2]}`);
    // Once the CWR has arrived, B stops echoing (its last ACKs carry no ECE).
    assert.notEqual(b[b.length - 1]!.ecnFlags, 'ECE');
    // A's FIN rides on its last data; B's FIN,ACK (delayed ACK of the FIN, as Linux) takes A from FIN_WAIT_1 to TIME_WAIT (C4).
    assert.deepEqual(path(doc, 'A'), ['CLOSED', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT_1', 'TIME_WAIT', 'CLOSED']);
    assert.deepEqual(path(doc, 'B'), ['CLOSED', 'LISTEN', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSED']);
    assert.deepEqual(errors(doc), []);
  }
});
