/**
 * What the link flags describe, opened: a TUN device (created or attached),
 * the kernel's address on it, an optional pcap tap and impairment model, and
 * a synack stack on top, on the wall clock.
 *
 *   stack ⇄ [impairedLink: loss, reorder… both ways] ⇄ [pcap tap] ⇄ TunLink ⇄ kernel
 *
 * The tap sits next to the device, so the capture shows what the kernel sent
 * and received, as `tcpdump -i IFNAME` would (packets the impairment drops
 * on the way out never reach it; those it drops on the way in are in it).
 */
import { createStack, type NetStack } from '../index.js';
import { impairedLink } from '../link/impaired.js';
import type { Link } from '../link/link.js';
import { tapLink } from '../link/pcap.js';
import { PcapFileWriter } from '../link/pcap-file.js';
import { TunLink } from '../link/tun/index.js';
import type { Server as HttpServer } from 'node:http';
import { startAdmin } from '../apps/admin.js';
import type { TapEvent } from '../link/memory.js';
import { formatLinkDrop, formatTraceLine } from '../observe/live-trace.js';
import { hostPort } from '../stack/stack.js';
import { RealClock } from '../util/real-clock.js';
import { flagsToString } from '../wire/flags.js';
import { formatAddress } from '../wire/address.js';
import { parseTcpPacket } from '../wire/packet.js';
import { formatBytes, formatRate } from './args.js';
import type { LinkFlags, WatchFlags } from './link-flags.js';

export interface TunStack {
  stack: NetStack;
  tun: TunLink;
  pcap: PcapFileWriter | undefined;
  /** e.g. "t0 10.77.0.2/24 (kernel 10.77.0.1) mtu 1500, loss 0.05 seed 3". */
  description: string;
  /** The admin server, when `--admin` asked for one. */
  admin: HttpServer | undefined;
  /** Reset what is left on the stack, stop the admin server, close the device (which deletes a device we created) and finish the pcap file. Idempotent. */
  close(): void;
}

/**
 * Open the device and the stack. With `watch.trace`, every state change and
 * segment (and every packet the impairment drops) is handed to `watch.print`
 * as one line, as it happens; with `watch.admin`, the admin endpoint starts.
 */
export async function openTunStack(flags: LinkFlags, watch: WatchFlags & { print?: (line: string) => void } = { trace: false }): Promise<TunStack> {
  const clock = new RealClock();
  const t0 = clock.now();
  const print = watch.print ?? ((line: string) => void process.stdout.write(line + '\n'));
  let tun: TunLink;
  try {
    tun = TunLink.open({
      name: flags.tun,
      ...(flags.mtu !== undefined ? { mtu: flags.mtu } : {}),
      ...(flags.txQueueLen !== undefined ? { txQueueLen: flags.txQueueLen } : {}),
      up: flags.hostIp !== undefined,
      // The impairment drops, delays and corrupts per packet, and relays no offload flags: plain packets then.
      offload: flags.offload && flags.impairment === undefined,
    });
  } catch (e) {
    const hint = /EPERM|EACCES|Permission denied|not permitted/.test((e as Error).message) ? ' (needs root or CAP_NET_ADMIN)' : '';
    throw new Error(`cannot open TUN device ${flags.tun}: ${(e as Error).message}${hint}`);
  }
  let pcap: PcapFileWriter | undefined;
  try {
    tun.onError((err) => process.emitWarning(`${flags.tun}: ${err.message}`, { code: 'SYNACK_TUN' }));
    if (flags.hostIp !== undefined) await giveKernelAddress(tun, `${flags.hostIp}/${flags.prefix}`);
    let link: Link = tun;
    if (flags.pcap !== undefined) {
      pcap = new PcapFileWriter(flags.pcap);
      link = tapLink(link, pcap, { closeWriter: true });
    }
    const tap = watch.trace ? (ev: TapEvent, from: 'stack' | 'inner') => traceLinkDrop(ev, from, t0, print) : undefined;
    if (flags.impairment !== undefined) link = impairedLink(link, clock, { ...flags.impairment, seed: flags.seed, ...(tap ? { tap } : {}) });
    const stack = createStack({ clock, name: 'synack', ...(flags.msl !== undefined ? { tcp: { msl: flags.msl } } : {}) });
    // Packets that are not TCP at all (IPv6 router solicitations, ICMP) are not part of any connection's story.
    if (watch.trace) stack.on('trace', (ev) => (ev.type === 'drop' && ev.reason === 'not-tcp' ? undefined : print(formatTraceLine(ev, t0))));
    stack.attach(link, { address: flags.address, prefix: flags.prefix });
    await tun.ready;
    let admin: HttpServer | undefined;
    if (watch.admin) {
      try {
        admin = await startAdmin(stack, watch.admin.host, watch.admin.port, () => tun.stats());
      } catch (e) {
        stack.close();
        link.close();
        throw new Error(`cannot start the admin server on ${hostPort(watch.admin.host, watch.admin.port)}: ${(e as Error).message}`);
      }
    }
    let closed = false;
    return {
      stack,
      tun,
      pcap,
      admin,
      description: describe(flags, tun),
      close() {
        if (closed) return;
        closed = true;
        if (admin) {
          admin.closeAllConnections();
          admin.close();
        }
        stack.close();
        link.close(); // closes the impairment, the tap (and its pcap file) and the device
        pcap?.close();
      },
    };
  } catch (e) {
    tun.close();
    pcap?.close();
    throw e;
  }
}

/** `ip addr add`; an address the device already has is fine (attaching to a configured device). */
async function giveKernelAddress(tun: TunLink, cidr: string): Promise<void> {
  try {
    await tun.addAddress(cidr);
  } catch (e) {
    if (!/File exists|already assigned/.test((e as Error).message)) throw new Error(`cannot give ${tun.name} the address ${cidr}: ${(e as Error).message}`);
  }
}

function describe(flags: LinkFlags, tun: TunLink): string {
  let text = `${tun.name} ${flags.address}/${flags.prefix}`;
  if (flags.hostIp !== undefined) text += ` (kernel ${flags.hostIp})`;
  text += ` mtu ${tun.mtu}`;
  const offload = !flags.offload ? 'off (--no-offload)' : flags.impairment !== undefined ? 'off (the impairment works per packet)' : tun.offloadStatus;
  text += `, offload ${offload}`;
  if (flags.msl !== undefined) text += `, MSL ${flags.msl / 1000} s (TIME_WAIT ${(2 * flags.msl) / 1000} s)`;
  const imp = flags.impairment;
  if (imp !== undefined) text += `, impairment: ${describeImpairment(imp)}, seed ${flags.seed}`;
  return text;
}

/** "loss 5 %, delay 20 ms, rate 10 Mbit/s": the impairment in units a person reads. */
export function describeImpairment(imp: NonNullable<LinkFlags['impairment']>): string {
  const pct = (p: number): string => `${Math.round(p * 100 * 1000) / 1000} %`;
  const parts: string[] = [];
  if (imp.loss !== undefined) parts.push(`loss ${pct(imp.loss)}`);
  if (imp.duplicate !== undefined) parts.push(`duplicate ${pct(imp.duplicate)}`);
  if (imp.reorder !== undefined) parts.push(`reorder ${pct(imp.reorder)}`);
  if (imp.reorderDelayMs !== undefined) parts.push(`reorder delay ${imp.reorderDelayMs} ms`);
  if (imp.corrupt !== undefined) parts.push(`corrupt ${pct(imp.corrupt)}`);
  if (imp.delayMs !== undefined) parts.push(`delay ${imp.delayMs} ms`);
  if (imp.jitterMs !== undefined) parts.push(`jitter ${imp.jitterMs} ms`);
  if (imp.rateBps !== undefined) parts.push(`rate ${formatRate(imp.rateBps)}`);
  if (imp.queueLimitBytes !== undefined) parts.push(`queue ${formatBytes(imp.queueLimitBytes)}`);
  return parts.join(', ');
}

/** A packet the impairment dropped, as a trace line (the stack's own trace shows the ones it sent and received). */
function traceLinkDrop(ev: TapEvent, from: 'stack' | 'inner', t0: number, print: (line: string) => void): void {
  if (!ev.dropped) return;
  const p = parseTcpPacket(ev.packet);
  if (!p.ok) {
    print(formatLinkDrop({ t: ev.time, dir: from === 'stack' ? 'out' : 'in', local: '?', remote: '?', flags: '', seq: 0, ack: 0, len: ev.packet.length, reason: ev.reason ?? 'loss' }, t0));
    return;
  }
  const { ip, tcp } = p.value;
  const src = hostPort(formatAddress(ip.src), tcp.srcPort);
  const dst = hostPort(formatAddress(ip.dst), tcp.dstPort);
  const out = from === 'stack';
  print(
    formatLinkDrop(
      { t: ev.time, dir: out ? 'out' : 'in', local: out ? src : dst, remote: out ? dst : src, flags: flagsToString(tcp.flags), seq: tcp.seq, ack: tcp.ack, len: tcp.payload.length, reason: ev.reason ?? 'loss' },
      t0,
    ),
  );
}

/**
 * Wait, at most `maxMs`, until every connection has finished its closing
 * handshake (only LISTEN and TIME_WAIT rows left), so that closing the
 * stack afterwards resets nothing the peer still cares about.
 */
export async function settle(stack: NetStack, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  const busy = (): boolean => stack.connections().some((r) => r.state !== 'LISTEN' && r.state !== 'TIME_WAIT');
  while (busy() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
