/**
 * D-SACK (RFC 2883) against Linux: synack's link impairment delivers every
 * packet twice, in both directions, so each end receives every data segment
 * of the other twice. Linux reports the duplicates with D-SACK blocks
 * (net.ipv4.tcp_dsack = 1) and synack must recognise them; synack reports the
 * kernel's duplicates and the kernel's own counters (the namespace's
 * /proc/net/netstat) must show that it recognised them.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { SYNACK_IP, python, startServe, type InteropCase } from './harness.js';

export const dsackCases: InteropCase[] = [
  {
    name: 'D-SACK both ways with Linux: every packet duplicated; synack recognises the kernel’s D-SACKs (TCPDSACKRecv), the kernel counts synack’s (TcpExtTCPDSACKRecv)',
    needs: ['python3', 'curl', 'timeout'],
    async run(t: TestContext) {
      const s = await startServe(t, ['--echo', '7', '--duplicate', '1', '--seed', '1']);
      const out = await python(
        s.ns,
        `import socket
data = bytes(range(256)) * 256
s = socket.create_connection(("${SYNACK_IP}", 7), timeout=10)
s.sendall(data); s.shutdown(socket.SHUT_WR)
got = b""
while True:
    d = s.recv(65536)
    if not d: break
    got += d
s.close()
lines = open("/proc/net/netstat").read().split("\\n")
kv = dict(zip(lines[0].split()[1:], map(int, lines[1].split()[1:])))
print(got == data, kv["TCPDSACKOldSent"], kv["TCPDSACKRecv"])`,
      );
      const [same, kernelSent, kernelRecv] = out.trim().split(/\s+/);
      assert.equal(same, 'True', 'the echo came back whole, duplicates and all');
      const st = await s.stats();
      t.diagnostic(`kernel: TCPDSACKOldSent ${kernelSent} TCPDSACKRecv ${kernelRecv}; synack: TCPDSACKRecv ${st.TCPDSACKRecv} TCPDSACKIgnoredDubious ${st.TCPDSACKIgnoredDubious} TCPDSACKOldSent ${st.TCPDSACKOldSent}`);
      assert.ok(Number(kernelSent) >= 1, 'the kernel D-SACKed the duplicates synack sent');
      assert.ok(st.TCPDSACKRecv! >= 1, 'synack recognised the kernel’s D-SACKs');
      // Network duplicates, never retransmissions: more D-SACKed segments than retransmitted ones, so none may undo anything.
      assert.ok(st.TCPDSACKIgnoredDubious! >= 1);
      assert.equal(st.TCPLossUndo ?? 0, 0);
      assert.equal(st.TCPDSACKUndo ?? 0, 0);
      assert.ok(st.TCPDSACKOldSent! >= 1, 'synack D-SACKed the kernel’s duplicates');
      assert.ok(Number(kernelRecv) >= 1, 'and the kernel recognised them');
    },
  },
];
