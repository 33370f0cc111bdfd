/**
 * curl (the kernel's TCP) against `synack serve --http`: bulk transfers both
 * ways with SHA-256 checked end to end, the error answers, and the same over
 * a link that loses and reorders packets.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { pseudoRandomBytes, pseudoRandomSha256 } from '../../src/apps/pseudo-random.js';
import { SYNACK_IP, scratchDir, startServe, type InteropCase, type Served } from './harness.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** curl -o FILE -D HEADERS; returns the status, headers, the body's SHA-256 and curl's speed. */
export async function download(s: Served, dir: string, path: string, timeoutMs: number): Promise<{ status: number; headers: Map<string, string>; sha256: string; size: number; bytesPerSec: number }> {
  const body = join(dir, 'body');
  const head = join(dir, 'headers');
  const out = await s.ns.exec('curl', ['-sS', '--max-time', String(timeoutMs / 1000), '-o', body, '-D', head, '-w', '%{http_code} %{size_download} %{speed_download}', `http://${SYNACK_IP}${path}`], timeoutMs + 2000);
  const [status, size, speed] = out.trim().split(' ').map(Number) as [number, number, number];
  const headers = new Map<string, string>();
  for (const line of (await readFile(head, 'utf8')).split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return { status, headers, sha256: sha256(await readFile(body)), size, bytesPerSec: speed };
}

/** curl --data-binary @FILE to /sha256; returns synack's answer and curl's speed. */
export async function upload(s: Served, file: string, timeoutMs: number): Promise<{ reply: string; bytesPerSec: number }> {
  const out = await s.ns.exec('curl', ['-sS', '--max-time', String(timeoutMs / 1000), '-H', 'content-type: application/octet-stream', '--data-binary', `@${file}`, '-w', '\n%{http_code} %{speed_upload}', `http://${SYNACK_IP}/sha256`], timeoutMs + 2000);
  const lines = out.trim().split('\n');
  const [status, speed] = lines.pop()!.trim().split(' ').map(Number) as [number, number];
  const reply = lines.join('\n');
  assert.equal(status, 200, `POST /sha256 → ${status}`);
  return { reply: reply.trim(), bytesPerSec: speed };
}

async function status(s: Served, path: string): Promise<number> {
  return Number(await s.ns.exec('curl', ['-s', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code}', `http://${SYNACK_IP}${path}`], 8000));
}

const MB = 1_000_000;

export const httpCases: InteropCase[] = [
  {
    name: 'curl downloads 10 MB from GET /bytes and uploads 10 MB to POST /sha256; SHA-256 exact both ways; no resets',
    needs: ['curl'],
    async run(t: TestContext) {
      const s = await startServe(t, ['--http', '80']);
      const dir = await scratchDir(t);

      const down = await download(s, dir, `/bytes/${10 * MB}`, 30_000);
      assert.equal(down.status, 200);
      assert.equal(down.size, 10 * MB);
      assert.equal(down.headers.get('content-length'), String(10 * MB));
      assert.equal(down.headers.get('x-content-sha256'), down.sha256, 'the body hashes to the X-Content-SHA256 sent ahead of it');
      assert.equal(down.sha256, await pseudoRandomSha256(10 * MB, 0), 'and to the bytes the generator defines');

      const file = join(dir, 'upload');
      const data = pseudoRandomBytes(10 * MB, 42);
      await writeFile(file, data);
      const up = await upload(s, file, 30_000);
      assert.equal(up.reply, sha256(data));
      t.diagnostic(`curl: ${(down.bytesPerSec / 1e6).toFixed(1)} MB/s down, ${(up.bytesPerSec / 1e6).toFixed(1)} MB/s up`);

      assert.equal(await status(s, '/bytes/abc'), 400);
      assert.equal(await status(s, `/bytes/${2 ** 31}`), 400, 'N above the bound');
      assert.equal(await status(s, '/bytes/10?seed=-1'), 400);
      assert.equal(await status(s, '/nothing-here'), 404);
      assert.equal(await status(s, '/bytes/0'), 200);

      const stats = await s.stats();
      assert.ok(stats.PassiveOpens! >= 7, `PassiveOpens ${stats.PassiveOpens}`);
      assert.equal(stats.EstabResets, 0);
      assert.equal(stats.OutRsts, 0, 'every connection closed with FINs');
      assert.equal(stats.InCsumErrors, 0);
    },
  },
  {
    name: 'over --loss 0.05 --reorder 0.05 --duplicate 0.01 (both directions) transfers stay checksum-exact, repaired by retransmission',
    needs: ['curl'],
    async run(t: TestContext) {
      const s = await startServe(t, ['--http', '80', '--loss', '0.05', '--reorder', '0.05', '--duplicate', '0.01', '--seed', '7']);
      const dir = await scratchDir(t);
      const down = await download(s, dir, `/bytes/${3 * MB}?seed=5`, 45_000);
      assert.equal(down.status, 200);
      assert.equal(down.sha256, await pseudoRandomSha256(3 * MB, 5));
      assert.equal(down.headers.get('x-content-sha256'), down.sha256);
      const file = join(dir, 'upload');
      const data = pseudoRandomBytes(3 * MB, 9);
      await writeFile(file, data);
      const up = await upload(s, file, 45_000);
      assert.equal(up.reply, sha256(data));
      const stats = await s.stats();
      assert.ok(stats.RetransSegs! > 0, 'synack retransmitted what the link lost');
      t.diagnostic(`lossy curl: ${(down.bytesPerSec / 1e6).toFixed(1)} MB/s down, ${(up.bytesPerSec / 1e6).toFixed(1)} MB/s up; synack RetransSegs ${stats.RetransSegs}`);
    },
  },
];
