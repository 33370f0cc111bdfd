import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World, ADDR_B } from '../../src/sim/world.js';
import { renderNstat } from '../../src/observe/counters.js';

test('ECN counters as Linux names them: IpExtIn{NoECT,ECT0,CE}Pkts on the receiver, TcpExtTCPDeliveredCE on the sender; ss shows ecn/ecnseen', () => {
  const w = new World({ seed: 1, tcpA: { ecn: 'on' }, link: { aToB: { rateBps: 10_000_000, ecnMarkBytes: 5000 } } });
  let server: ReturnType<World['b']['connect']> | undefined;
  w.b.listen(80).on('connection', (s) => {
    server = s;
    s.on('readable', () => {
      while (s.read()) {
        /* discard */
      }
    });
  });
  const client = w.a.connect({ remoteAddress: ADDR_B, remotePort: 80 });
  client.on('connect', () => client.write(new Uint8Array(60_000)));
  w.advance(2000);
  assert.ok(server);
  const a = w.a.stats();
  const b = w.b.stats();
  assert.equal(client.info().options.ecn, true);
  assert.equal(server.info().options.ecnSeen, true);
  assert.equal(client.info().options.ecnSeen, false, 'A received only pure ACKs: no ECT seen');
  assert.ok(b.InCEPkts > 0, 'B received CE-marked packets');
  assert.ok(b.InECT0Pkts > 0);
  assert.ok(b.InNoECTPkts >= 2, 'the SYN and the handshake ACK are Not-ECT');
  assert.equal(b.InCEPkts + b.InECT0Pkts + b.InECT1Pkts + b.InNoECTPkts, b.InSegs);
  assert.equal(a.InECT0Pkts + a.InCEPkts, 0, 'B sent no data: nothing ECN-capable came back');
  assert.ok(a.TCPDeliveredCE > 0, 'A counted segments delivered under ECE');
  assert.equal(a.RetransSegs, 0);
  assert.match(renderNstat({ ...b }, { only: ['IpExt*'] }), /^IpExtInCEPkts\s+\d+/m);
  assert.match(renderNstat({ ...a }, { only: ['TcpExtTCPDeliveredCE'] }), /^TcpExtTCPDeliveredCE\s+[1-9]/m);
});
