/**
 * The kernel's TCP between two network namespaces joined by a veth pair: the peer that benchmarks give
 * ratios to (root only). The namespaces are the caller's to delete (Netns.delete kills their children by PID).
 *
 *   server side: 10.79.0.1 on vb1 in the first namespace; client side: 10.79.0.2 on vb2 in the second.
 */
import { Netns, onPath } from '../test/fixtures/netns.js';
import { Lines } from '../test/interop/harness.js';

export const VETH_SERVER = '10.79.0.1';

export interface VethPair {
  server: Netns;
  client: Netns;
}

/**
 * Two namespaces joined by a veth pair of `mtu`; both are pushed to `spaces` as soon as they exist.
 * `offloads: false` turns TSO, GSO, GRO and checksum offload off on both ends (ethtool), so that the kernel
 * cuts, checksums and parses every packet as synack does in its in-process benchmark.
 */
export async function vethPair(mtu: number, spaces: Netns[], offloads = true): Promise<VethPair> {
  const server = await Netns.create('bk1');
  spaces.push(server);
  const client = await Netns.create('bk2');
  spaces.push(client);
  await server.exec('ip', ['link', 'add', 'vb1', 'type', 'veth', 'peer', 'name', 'vb2', 'netns', client.name]);
  await server.exec('ip', ['addr', 'add', `${VETH_SERVER}/24`, 'dev', 'vb1']);
  await client.exec('ip', ['addr', 'add', '10.79.0.2/24', 'dev', 'vb2']);
  for (const [ns, dev] of [[server, 'vb1'], [client, 'vb2']] as const) {
    await ns.exec('ip', ['link', 'set', dev, 'up', 'mtu', String(mtu)]);
    if (!offloads) await ns.exec('ethtool', ['-K', dev, 'tso', 'off', 'gso', 'off', 'gro', 'off', 'tx', 'off', 'rx', 'off']);
  }
  return { server, client };
}

/** Start `iperf3 -s` on the pair's server side, pinned to `cpus`; resolves once it listens. */
export async function startIperfServer(pair: VethPair, cpus: string): Promise<void> {
  const ip = pair.server.spawn('iperf3', ['-s', '-B', VETH_SERVER, '--forceflush'], { cpus });
  ip.stdin!.end();
  await new Lines(ip).waitFor(/Server listening/, 10_000);
}

export interface IperfResult {
  gbps: number;
  seconds: number;
}

/** An iperf3 client run of `seconds` from the pair's client side, pinned to `cpus`; `reverse`: the server sends. Bits/s received. */
export async function iperf(pair: VethPair, reverse: boolean, cpus: string, seconds = 2): Promise<IperfResult> {
  const args = ['-c', cpus, 'iperf3', '-c', VETH_SERVER, '-t', String(seconds), '-J', ...(reverse ? ['-R'] : [])];
  const doc = JSON.parse(await pair.client.exec('taskset', args, (seconds + 28) * 1000)) as { end: { sum_received: { bits_per_second: number; seconds: number } } };
  return { gbps: doc.end.sum_received.bits_per_second / 1e9, seconds: doc.end.sum_received.seconds };
}

/** Why the kernel's side cannot be measured here (not root, or a tool missing), or undefined. */
export function vethUnavailable(offloads: boolean): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  for (const tool of ['ip', 'iperf3', 'taskset', ...(offloads ? [] : ['ethtool'])]) if (!onPath(tool)) return `${tool} is not installed`;
  return undefined;
}
