/**
 * TUN offloads against the kernel (curl over `synack serve --http`): with
 * offloads on (the default) the kernel hands synack GSO super-packets and
 * takes its TSO super-segments — the pcap, which records what crossed the
 * device before any cutting, shows TCP payloads far above the MSS both ways —
 * and the bytes stay SHA-256 exact both ways; with --no-offload every packet
 * is at most one MSS, and the bytes are as exact.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { pseudoRandomBytes, pseudoRandomSha256 } from '../../src/apps/pseudo-random.js';
import { parsePcap } from '../../src/link/pcap.js';
import { formatAddress } from '../../src/wire/ip.js';
import { parseTcpPacket } from '../../src/wire/packet.js';
import { SYNACK_IP, scratchDir, startServe, type InteropCase } from './harness.js';
import { download, upload } from './http-cases.js';

const MB = 1_000_000;
/** The MSS on a 1500-byte IPv4 link. */
const MSS = 1460;

/** Largest TCP payload in the capture, each way (checksums are not checked: with offloads they are partial). */
async function largestPayloads(file: string): Promise<{ fromSynack: number; toSynack: number; packets: number }> {
  const pcap = parsePcap(new Uint8Array(await readFile(file)));
  let fromSynack = 0;
  let toSynack = 0;
  for (const r of pcap.records) {
    const p = parseTcpPacket(r.data, false);
    if (!p.ok) continue;
    const len = p.value.tcp.payload.length;
    if (formatAddress(p.value.ip.src) === SYNACK_IP) fromSynack = Math.max(fromSynack, len);
    else toSynack = Math.max(toSynack, len);
  }
  return { ...{ fromSynack, toSynack }, packets: pcap.records.length };
}

async function transfersBothWays(t: TestContext, extra: string[]): Promise<{ banner: string; sizes: Awaited<ReturnType<typeof largestPayloads>>; stats: Record<string, number> }> {
  const dir = await scratchDir(t);
  const pcapFile = join(dir, 'cap.pcap');
  const s = await startServe(t, ['--http', '80', '--pcap', pcapFile, ...extra]);
  const banner = s.lines.out.find((l) => l.startsWith('synack serving on '))!;
  const down = await download(s, dir, `/bytes/${10 * MB}?seed=3`, 40_000);
  assert.equal(down.status, 200);
  assert.equal(down.size, 10 * MB);
  assert.equal(down.sha256, await pseudoRandomSha256(10 * MB, 3), 'download: the bytes the generator defines');
  const file = join(dir, 'upload');
  const data = pseudoRandomBytes(10 * MB, 11);
  await writeFile(file, data);
  const up = await upload(s, file, 40_000);
  assert.equal(up.reply, createHash('sha256').update(data).digest('hex'), 'upload: synack hashed exactly what curl sent');
  const stats = await s.stats();
  assert.equal(stats.InCsumErrors, 0);
  assert.equal(stats.EstabResets, 0);
  const exit = await s.stop(10_000); // finishes the pcap file
  assert.equal(exit.code, 0);
  t.diagnostic(`${extra.join(' ') || 'offloads on'}: curl ${(down.bytesPerSec / 1e6).toFixed(1)} MB/s down, ${(up.bytesPerSec / 1e6).toFixed(1)} MB/s up`);
  return { banner, sizes: await largestPayloads(pcapFile), stats };
}

export const offloadCases: InteropCase[] = [
  {
    name: 'offloads on: the kernel hands synack GSO super-packets and takes its TSO super-segments (pcap: payloads > MSS both ways); curl 10 MB down and up SHA-256 exact',
    needs: ['curl'],
    async run(t: TestContext) {
      const { banner, sizes } = await transfersBothWays(t, []);
      assert.match(banner, /, offload tso4 tso6 csum:/, banner);
      assert.ok(sizes.toSynack > MSS, `a received segment above the MSS (GSO), largest ${sizes.toSynack}`);
      assert.ok(sizes.fromSynack > MSS, `a sent segment above the MSS (TSO), largest ${sizes.fromSynack}`);
      assert.ok(sizes.toSynack <= 65535 && sizes.fromSynack <= 65535);
    },
  },
  {
    name: '--no-offload: plain packets, none above the MSS either way (pcap); curl 10 MB down and up SHA-256 exact',
    needs: ['curl'],
    async run(t: TestContext) {
      const { banner, sizes } = await transfersBothWays(t, ['--no-offload']);
      assert.match(banner, /, offload off \(--no-offload\):/, banner);
      assert.ok(sizes.toSynack > 0 && sizes.toSynack <= MSS, `largest received ${sizes.toSynack}`);
      assert.ok(sizes.fromSynack > 0 && sizes.fromSynack <= MSS, `largest sent ${sizes.fromSynack}`);
    },
  },
];
