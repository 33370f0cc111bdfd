import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS } from '../../src/sim/catalogue.js';
import { recordScenario } from '../../src/sim/scenario.js';
import { scenarioPcap } from '../../src/sim/capture.js';
import { LINKTYPE_RAW, parsePcap } from '../../src/link/pcap.js';
import { parseTcpPacket } from '../../src/wire/packet.js';
import { flagsToString } from '../../src/wire/flags.js';
import { formatAddress } from '../../src/wire/ip.js';
import { segments } from './doc-helpers.js';

test('every scenario’s pcap holds exactly its segment events: same order, time, addresses and header fields', () => {
  for (const s of SCENARIOS) {
    const { document, packets } = recordScenario(s, { seed: 3 });
    const file = parsePcap(scenarioPcap(packets));
    assert.equal(file.linkType, LINKTYPE_RAW);
    const segs = segments(document);
    assert.equal(file.records.length, segs.length, s.name);
    file.records.forEach((rec, i) => {
      const ev = segs[i]!;
      const r = parseTcpPacket(rec.data);
      assert.ok(r.ok, `${s.name} #${i} parses`);
      const { ip, tcp } = r.value;
      assert.equal(rec.timeMs, ev.t, `${s.name} #${i} time`);
      assert.deepEqual(
        { flags: flagsToString(tcp.flags), seq: tcp.seq, ack: tcp.ack, len: tcp.payload.length, win: tcp.window },
        { flags: ev.flags, seq: ev.seq, ack: ev.ack, len: ev.len, win: ev.win },
        `${s.name} #${i}`,
      );
      const src = formatAddress(ip.src);
      const dst = formatAddress(ip.dst);
      if (ev.from === 'A') assert.equal(src, '10.0.0.1');
      if (ev.from === 'B') assert.equal(src, '10.0.0.2');
      if (ev.to === 'A') assert.equal(dst, '10.0.0.1');
      if (ev.to === 'B') assert.equal(dst, '10.0.0.2');
      if (ev.to === 'X') assert.ok(dst !== '10.0.0.1' && dst !== '10.0.0.2', `${s.name} #${i}: a reply to a spoofed source`);
    });
  }
});
