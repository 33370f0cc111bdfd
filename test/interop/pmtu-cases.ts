/**
 * Path MTU discovery against Linux routers (TCP-BEHAVIOR P6): synack serves
 * on its TUN device in namespace A, whose kernel routes to namespace R over
 * a veth of MTU 1280; R routes on to the kernel client in namespace B over a
 * veth of MTU 1500. B's SYN offers MSS 1460, so synack's first full segments
 * (1500 bytes, DF) cannot leave A: A's kernel answers with ICMP
 * "fragmentation needed, MTU 1280" (RFC 1191), synack lowers its MSS and
 * the download completes byte-exact. In the second case a policy route in A
 * drops every ICMP towards synack (a black hole; this kernel has no
 * netfilter or tc classifiers), and synack finds the MTU by RFC 4821
 * probing instead. Forwarding is switched on inside the
 * namespaces only; all three are deleted (children killed by PID) at the end.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { pseudoRandomSha256 } from '../../src/apps/pseudo-random.js';
import { Netns, run } from '../fixtures/netns.js';
import { SYNACK_IP, namespace, scratchDir, serveIn, type InteropCase } from './harness.js';

const AR_A = '10.78.0.1';
const AR_R = '10.78.0.2';
const RB_R = '10.79.0.1';
const RB_B = '10.79.0.2';
const NARROW_MTU = 1280;

/** The namespaces and links; each namespace is deleted when the test ends. */
async function routedPath(t: TestContext): Promise<{ a: Netns; r: Netns; b: Netns }> {
  const [a, r, b] = [await namespace(t), await namespace(t), await namespace(t)];
  const suffix = a.name.slice(-8);
  const [va, vr1, vr2, vb] = [`pa${suffix}`, `pr${suffix}`, `ps${suffix}`, `pb${suffix}`];
  // Both veth pairs are made straight inside their namespaces: nothing touches the host's interfaces.
  await run('ip', ['link', 'add', va, 'netns', a.name, 'mtu', String(NARROW_MTU), 'type', 'veth', 'peer', 'name', vr1, 'netns', r.name, 'mtu', String(NARROW_MTU)]);
  await run('ip', ['link', 'add', vr2, 'netns', r.name, 'type', 'veth', 'peer', 'name', vb, 'netns', b.name]);
  await a.exec('ip', ['addr', 'add', `${AR_A}/24`, 'dev', va]);
  await a.exec('ip', ['link', 'set', va, 'up']);
  await r.exec('ip', ['addr', 'add', `${AR_R}/24`, 'dev', vr1]);
  await r.exec('ip', ['addr', 'add', `${RB_R}/24`, 'dev', vr2]);
  await r.exec('ip', ['link', 'set', vr1, 'up']);
  await r.exec('ip', ['link', 'set', vr2, 'up']);
  await b.exec('ip', ['addr', 'add', `${RB_B}/24`, 'dev', vb]);
  await b.exec('ip', ['link', 'set', vb, 'up']);
  await a.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  await r.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  await a.exec('ip', ['route', 'add', '10.79.0.0/24', 'via', AR_R]);
  await r.exec('ip', ['route', 'add', '10.77.0.0/24', 'via', AR_A]);
  await b.exec('ip', ['route', 'add', 'default', 'via', RB_R]);
  return { a, r, b };
}

/** A counter of /proc/net/snmp (e.g. Icmp OutDestUnreachs) as a namespace's kernel counts it. */
async function snmp(ns: Netns, group: string, name: string): Promise<number> {
  const lines = (await ns.exec('cat', ['/proc/net/snmp'])).split('\n').filter((l) => l.startsWith(`${group}:`));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf(name)]);
}

const SIZE = 4_000_000;

/** `synack serve --http` in A, curl in B downloads SIZE bytes through R, checked byte-exact; synack's counters afterwards. */
async function downloadThrough(t: TestContext, a: Netns, b: Netns, timeoutMs: number): Promise<Record<string, number>> {
  const s = await serveIn(a, ['--http', '80']);
  t.after(() => s.stop());
  const body = join(await scratchDir(t), 'body');
  const out = await b.exec('curl', ['-sS', '--max-time', String(timeoutMs / 1000), '-o', body, '-w', '%{http_code} %{size_download}', `http://${SYNACK_IP}/bytes/${SIZE}`], timeoutMs + 5000);
  assert.equal(out.trim(), `200 ${SIZE}`);
  assert.equal(createHash('sha256').update(await readFile(body)).digest('hex'), await pseudoRandomSha256(SIZE, 0), 'byte-exact');
  return s.stats();
}

export const pmtuCases: InteropCase[] = [
  {
    name: 'PMTU: a Linux router with a 1280-byte hop sends frag-needed; synack lowers its MSS and curl downloads 4 MB byte-exact',
    needs: ['curl'],
    async run(t: TestContext) {
      const { a, b } = await routedPath(t);
      const stats = await downloadThrough(t, a, b, 30_000);
      assert.ok(stats.IcmpInDestUnreachs! > 0, `synack received the router's frag-needed: ${JSON.stringify(stats)}`);
      assert.equal(stats.IcmpInErrors, 0);
      assert.equal(stats.OutOfWindowIcmps, 0);
      assert.ok(stats.TCPTimeouts! < 4, `the ICMP lowered the MSS, not black-hole detection (3 s of timeouts) (${stats.TCPTimeouts})`);
      assert.ok((await snmp(a, 'Icmp', 'OutDestUnreachs')) > 0, "A's kernel sent it");
      t.diagnostic(`synack: IcmpInDestUnreachs ${stats.IcmpInDestUnreachs}, TCPTimeouts ${stats.TCPTimeouts}, RetransSegs ${stats.RetransSegs}`);
    },
  },
  {
    name: 'PMTU black hole: the same path with the router\'s ICMP discarded; synack finds the MTU by RFC 4821 probing (tcp_mtu_probing=1) and the download completes byte-exact',
    needs: ['curl'],
    async run(t: TestContext) {
      const { a, b } = await routedPath(t);
      // A's kernel still sends its frag-needed, but a policy rule routes every ICMP towards synack into a blackhole.
      await a.exec('ip', ['route', 'add', 'blackhole', '10.77.0.0/24', 'table', '100']);
      await a.exec('ip', ['rule', 'add', 'ipproto', 'icmp', 'to', `${SYNACK_IP}/32`, 'lookup', '100', 'pref', '100']);
      const stats = await downloadThrough(t, a, b, 40_000);
      assert.equal(stats.IcmpInMsgs, 0, 'no ICMP reached synack');
      assert.ok(stats.TCPTimeouts! >= 5, `black hole suspected 3 s into the timeouts, the 5th at a 200 ms RTO (${stats.TCPTimeouts})`);
      // Probes cross the hole as single packets, not TSO super-segments cut at the MSS (which passed every probe, raised
      // the MSS over the path and lost everything again: 32 timeouts, 30 probe "successes" in one download).
      assert.ok(stats.TCPTimeouts! <= 8, `one black-hole episode, not a cycle of them (${stats.TCPTimeouts} timeouts)`);
      assert.ok(stats.TCPMTUPSuccess! > 0, `probes above tcp_base_mss got through (${stats.TCPMTUPSuccess})`);
      t.diagnostic(`synack: TCPTimeouts ${stats.TCPTimeouts}, TCPMTUPSuccess ${stats.TCPMTUPSuccess}, TCPMTUPFail ${stats.TCPMTUPFail}`);
    },
  },
];
