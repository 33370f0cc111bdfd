/**
 * synack as the client: `synack connect` and `synack fetch`, each making its
 * own TUN device in the namespace, against servers on the kernel's TCP
 * (Python sockets and Python's http.server).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Netns } from '../fixtures/netns.js';
import { pseudoRandomBytes } from '../../src/apps/pseudo-random.js';
import { KERNEL_IP, LINK, Lines, MAIN, SYNACK_IP, kernelSockets, namespace, scratchDir, type InteropCase } from './harness.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Run the CLI in the namespace with `input` on stdin (or stdin left open); bounded. */
async function cli(ns: Netns, args: string[], input: string | null, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = ns.spawn(process.execPath, [MAIN, ...args]);
  const lines = new Lines(child);
  if (input !== null) child.stdin!.end(input);
  const { code } = await lines.exit(timeoutMs);
  return { code, stdout: lines.stdout, stderr: lines.stderr };
}

/** A Python server in the namespace; resolves once it prints "ready". */
async function pyServer(ns: Netns, code: string): Promise<ChildProcess> {
  const child = ns.spawn('python3', ['-u', '-c', `import signal\nsignal.alarm(60)\n${code}`]);
  await new Lines(child).waitFor(/^ready$/, 10_000);
  return child;
}

export const clientCases: InteropCase[] = [
  {
    name: 'synack connect ⇄ a Python socket server: stdin, FIN, the reply after our FIN, exit 0; ECONNREFUSED and ECONNRESET exit 1 with a clear message',
    needs: ['python3', 'ss'],
    async run(t: TestContext) {
      const ns = await namespace(t);
      // Port 7000 reads to EOF, then answers in upper case and closes (it replies into our half-closed connection).
      // Port 7002 closes with SO_LINGER 0 right after accepting: an RST.
      await pyServer(
        ns,
        `import socket, struct, threading
def serve(port, handle):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(); s.settimeout(40)
    def loop():
        while True:
            c, _ = s.accept(); c.settimeout(10); handle(c)
    threading.Thread(target=loop, daemon=True).start()
def upper(c):
    buf = b""
    while True:
        d = c.recv(65536)
        if not d: break
        buf += d
    c.sendall(buf.upper()); c.close()
def reset(c):
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
serve(7000, upper); serve(7002, reset)
print("ready")
import time
time.sleep(50)`,
      );
      const ok = await cli(ns, ['connect', ...LINK, `${KERNEL_IP}:7000`], 'hello from synack\nsecond line\n');
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, 'HELLO FROM SYNACK\nSECOND LINE\n');
      // The server closed second (after its reply), so the kernel side is gone and synack held TIME_WAIT.
      const server = (await kernelSockets(ns)).filter((r) => r.local === `${KERNEL_IP}:7000` && r.state !== 'LISTEN');
      assert.ok(server.every((r) => r.state !== 'ESTABLISHED' && r.state !== 'CLOSE_WAIT'), JSON.stringify(server));

      const refused = await cli(ns, ['connect', ...LINK, `${KERNEL_IP}:7001`], '');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /10\.77\.0\.1:7001: connection refused.*\[ECONNREFUSED\]/);

      const reset = await cli(ns, ['connect', ...LINK, `${KERNEL_IP}:7002`], null); // stdin stays open: only the RST ends it
      assert.equal(reset.code, 1);
      assert.match(reset.stderr, /connection reset by peer.*\[ECONNRESET\]/);
    },
  },
  {
    name: 'synack fetch ⇄ Python http.server: a 3 MB file to -o FILE and a small one to stdout, exact; 404 exits 1 with the status; the kernel server holds TIME_WAIT',
    needs: ['python3', 'ss'],
    async run(t: TestContext) {
      const ns = await namespace(t);
      const dir = await scratchDir(t);
      const big = pseudoRandomBytes(3_000_000, 77);
      await writeFile(join(dir, 'big.bin'), big);
      await writeFile(join(dir, 'hello.txt'), 'hello, synack\n');
      await pyServer(
        ns,
        `import functools, http.server, threading
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=${JSON.stringify(dir)})
srv = http.server.ThreadingHTTPServer(("0.0.0.0", 8000), h)
threading.Thread(target=srv.serve_forever, daemon=True).start()
print("ready")
import time
time.sleep(50)`,
      );
      const out = join(dir, 'out.bin');
      const got = await cli(ns, ['fetch', ...LINK, `http://${KERNEL_IP}:8000/big.bin`, '-o', out], '');
      assert.equal(got.code, 0, got.stderr);
      assert.equal(sha256(await readFile(out)), sha256(big));

      const small = await cli(ns, ['fetch', ...LINK, `http://${KERNEL_IP}:8000/hello.txt`], '');
      assert.equal(small.code, 0, small.stderr);
      assert.equal(small.stdout, 'hello, synack\n');

      const missing = await cli(ns, ['fetch', ...LINK, `http://${KERNEL_IP}:8000/missing`], '');
      assert.equal(missing.code, 1);
      assert.equal(missing.stdout, '');
      assert.match(missing.stderr, /HTTP 404/);

      // "Connection: close": the server closes first, so the kernel's side of each fetch sits in TIME_WAIT.
      const rows = (await kernelSockets(ns)).filter((r) => r.local === `${KERNEL_IP}:8000` && r.remote.startsWith(`${SYNACK_IP}:`));
      assert.equal(rows.length, 3, JSON.stringify(rows));
      assert.ok(rows.every((r) => r.state === 'TIME_WAIT'), JSON.stringify(rows));
    },
  },
];
