/**
 * Opening and closing against Linux, with both ends' states read at each
 * step: the kernel's from `ss -tan` in the namespace, synack's from the admin
 * endpoint's /connections. Each step is a point where TCP (RFC 9293 §3.6)
 * says which states the two ends must be in.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ADMIN_PORT, KERNEL_IP, MAIN, SYNACK_IP, bothEnds, kernelSockets, python, scratchDir, startServe, waitForStates, type InteropCase } from './harness.js';
import { PyPeer } from './py-peer.js';

export const closeCases: InteropCase[] = [
  {
    name: 'the kernel half-closes first and still reads the whole echo: kernel FIN_WAIT_2 while synack is in CLOSE_WAIT, then TIME_WAIT on the kernel',
    needs: ['python3', 'curl', 'ss'],
    async run(t: TestContext) {
      const s = await startServe(t, ['--echo', '7', '--msl', '1']);
      const py = new PyPeer(s.ns);
      const synackEnd = `${SYNACK_IP}:7`;
      // A tiny receive buffer: the echo backs up into synack, so synack cannot finish before Python reads.
      const { local } = await py.do<{ local: string }>({ cmd: 'connect', host: SYNACK_IP, port: 7, rcvbuf: 4096 });
      await waitForStates(s, local, synackEnd, { kernel: 'ESTABLISHED', synack: 'ESTABLISHED' });

      // Less than synack's receive buffer plus send buffer as they start (tcp_rmem[1] 128 KiB + 87 040 B: they do not
      // grow while Python reads nothing), so the FIN gets in behind the data.
      const sent = await py.do<{ sha256: string }>({ cmd: 'send', n: 160_000 });
      await py.do({ cmd: 'shutdown' }); // FIN → kernel FIN_WAIT_1 → (ACK) FIN_WAIT_2
      // C6: synack got the FIN (CLOSE_WAIT) but still has echo to send; the kernel waits for synack's FIN.
      const mid = await waitForStates(s, local, synackEnd, { kernel: 'FIN_WAIT_2', synack: 'CLOSE_WAIT' });
      assert.ok(mid.synackRow!.sendQueue > 0, 'synack still holds echo data for the kernel');
      t.diagnostic(`mid: synack ${mid.synack} Send-Q ${mid.synackRow!.sendQueue} Recv-Q ${mid.synackRow!.recvQueue}; kernel ${mid.kernel} Recv-Q ${mid.kernelRow!.recvQ} Send-Q ${mid.kernelRow!.sendQ}`);

      // Python now reads: every byte comes back, then synack's FIN (EOF).
      const got = await py.do<{ n: number; sha256: string; eof: boolean }>({ cmd: 'recv' }, 20_000);
      assert.deepEqual(got, { type: 'received', n: 160_000, sha256: sent.sha256, eof: true });
      // C3 on the kernel: FIN_WAIT_2 + FIN → TIME_WAIT; synack LAST_ACK → CLOSED.
      await waitForStates(s, local, synackEnd, { kernel: 'TIME_WAIT', synack: undefined });
      await py.do({ cmd: 'close' });
      const stats = await s.stats();
      assert.equal(stats.OutRsts, 0);
    },
  },
  {
    name: 'synack closes first (discard --discard-half-close) while the kernel keeps sending: kernel CLOSE_WAIT / synack FIN_WAIT_2, then synack TIME_WAIT for 2×MSL',
    needs: ['python3', 'curl', 'ss'],
    async run(t: TestContext) {
      const s = await startServe(t, ['--discard', '9', '--discard-half-close', '--msl', '1', '-v']);
      const py = new PyPeer(s.ns);
      const synackEnd = `${SYNACK_IP}:9`;
      const { local } = await py.do<{ local: string }>({ cmd: 'connect', host: SYNACK_IP, port: 9 });
      // C1/C2: synack's FIN is ACKed → FIN_WAIT_2; the kernel got it → CLOSE_WAIT, and its reader sees EOF.
      await waitForStates(s, local, synackEnd, { kernel: 'CLOSE_WAIT', synack: 'FIN_WAIT_2' });
      assert.deepEqual(await py.do({ cmd: 'recv' }), { type: 'received', n: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', eof: true });

      // The half-closed connection still carries the kernel's data to synack.
      await py.do({ cmd: 'send', n: 1_048_576 }, 20_000);
      const still = await bothEnds(s, local, synackEnd);
      assert.equal(still.kernel, 'CLOSE_WAIT');
      assert.equal(still.synack, 'FIN_WAIT_2');

      // `synack ss`, run in the namespace, shows the same row as ss -tan would.
      const table = await new Promise<string>((resolve, reject) =>
        execFile('ip', ['netns', 'exec', s.ns.name, process.execPath, MAIN, 'ss', '--admin', `127.0.0.1:${ADMIN_PORT}`, '-tn'], { timeout: 10_000 }, (err, out) => (err ? reject(err) : resolve(out))),
      );
      assert.match(table, new RegExp(`^FIN-WAIT-2\\s+0\\s+0\\s+${SYNACK_IP.replace(/\./g, '\\.')}:9\\s+${local.replace(/\./g, '\\.')}`, 'm'));

      await py.do({ cmd: 'close' }); // kernel CLOSE_WAIT → LAST_ACK → CLOSED; synack FIN_WAIT_2 → TIME_WAIT (C3)
      const end = await waitForStates(s, local, synackEnd, { kernel: undefined, synack: 'TIME_WAIT' });
      assert.equal(end.synackRow!.timer, 'timewait');
      assert.ok(end.synackRow!.timerExpiresIn! <= 2000, `2×MSL = 2 s, timer shows ${end.synackRow!.timerExpiresIn} ms`);
      // C7: TIME_WAIT ends after 2×MSL.
      await waitForStates(s, local, synackEnd, { kernel: undefined, synack: undefined }, 4000);
      const line = await s.lines.waitFor(/^discard .* closed: /, 2000);
      assert.match(line, new RegExp(`^discard ${local.replace(/\./g, '\\.')} closed: 1048576 bytes in, 0 bytes out$`));
      assert.equal((await s.stats()).OutRsts, 0);
    },
  },
  {
    name: 'a SYN to a port where synack does not listen is refused at once (RST,ACK); one that does listen connects',
    needs: ['python3', 'timeout', 'curl', 'ss'],
    async run(t: TestContext) {
      const s = await startServe(t, ['--echo', '7']);
      const out = await python(
        s.ns,
        `import json, socket, time
r = {}
for port in (7, 1):
    t0 = time.time()
    try:
        socket.create_connection(("${SYNACK_IP}", port), timeout=5).close()
        r[port] = ["connected", time.time() - t0]
    except ConnectionRefusedError:
        r[port] = ["refused", time.time() - t0]
    except OSError as e:
        r[port] = [type(e).__name__, time.time() - t0]
print(json.dumps(r))`,
      );
      const r = JSON.parse(out) as Record<string, [string, number]>;
      assert.equal(r['7']![0], 'connected');
      assert.equal(r['1']![0], 'refused');
      assert.ok(r['1']![1] < 1, `refused after ${r['1']![1]} s: at once, not after retries`);
      const stats = await s.stats();
      assert.ok(stats.OutRsts! >= 1, 'the RST came from synack');
      // Nothing of the refused attempt is left on either side.
      assert.equal((await kernelSockets(s.ns)).filter((k) => k.remote === `${SYNACK_IP}:1`).length, 0);
    },
  },
  {
    name: 'SIGTERM: serve FINs its open connections, exits 0, removes the device, and leaves a pcap tcpdump reads',
    needs: ['python3', 'curl', 'ss', 'tcpdump'],
    async run(t: TestContext) {
      const dir = await scratchDir(t);
      const pcap = join(dir, 'serve.pcap');
      const s = await startServe(t, ['--echo', '7', '--pcap', pcap]);
      const py = new PyPeer(s.ns);
      const { local } = await py.do<{ local: string }>({ cmd: 'connect', host: SYNACK_IP, port: 7 });
      await py.do({ cmd: 'send', n: 1000 });
      assert.equal((await py.do<{ n: number }>({ cmd: 'recv', n: 1000 })).n, 1000);
      await waitForStates(s, local, `${SYNACK_IP}:7`, { kernel: 'ESTABLISHED', synack: 'ESTABLISHED' });

      const exit = s.stop(8000);
      // synack closes first: the kernel reads EOF, then closes too.
      assert.deepEqual(await py.do({ cmd: 'recv' }), { type: 'received', n: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', eof: true });
      await py.do({ cmd: 'close' });
      assert.deepEqual(await exit, { code: 0, signal: null });
      await assert.rejects(s.ns.exec('ip', ['link', 'show', 't0']), /does not exist/, 'the device is gone');

      const dump = await s.ns.exec('tcpdump', ['-nn', '-r', pcap], 10_000);
      const port = local.split(':')[1]!;
      const k = `${KERNEL_IP}.${port}`;
      const y = `${SYNACK_IP}.7`;
      assert.match(dump, new RegExp(`IP ${k} > ${y}: Flags \\[S\\]`));
      assert.match(dump, new RegExp(`IP ${y} > ${k}: Flags \\[S\\.\\]`));
      assert.match(dump, new RegExp(`IP ${y} > ${k}: Flags \\[F\\.\\]`), 'synack’s FIN');
      assert.match(dump, new RegExp(`IP ${k} > ${y}: Flags \\[F\\.\\]`), 'the kernel’s FIN');
      assert.doesNotMatch(dump, /Flags \[R/, 'no resets');
    },
  },
];
