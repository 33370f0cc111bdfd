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
import { RealClock } from '../util/real-clock.js';
import type { LinkFlags } from './link-flags.js';

export interface TunStack {
  stack: NetStack;
  tun: TunLink;
  pcap: PcapFileWriter | undefined;
  /** e.g. "t0 10.77.0.2/24 (kernel 10.77.0.1) mtu 1500, loss 0.05 seed 3". */
  description: string;
  /** Reset what is left on the stack, close the device (which deletes a device we created) and finish the pcap file. Idempotent. */
  close(): void;
}

export async function openTunStack(flags: LinkFlags): Promise<TunStack> {
  const clock = new RealClock();
  let tun: TunLink;
  try {
    tun = TunLink.open({ name: flags.tun, ...(flags.mtu !== undefined ? { mtu: flags.mtu } : {}), up: flags.hostIp !== undefined });
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
    if (flags.impairment !== undefined) link = impairedLink(link, clock, { ...flags.impairment, seed: flags.seed });
    const stack = createStack({ clock, name: 'synack', ...(flags.msl !== undefined ? { tcp: { msl: flags.msl } } : {}) });
    stack.attach(link, { address: flags.address, prefix: flags.prefix });
    await tun.ready;
    let closed = false;
    return {
      stack,
      tun,
      pcap,
      description: describe(flags, tun),
      close() {
        if (closed) return;
        closed = true;
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
  const imp = flags.impairment;
  if (imp !== undefined) {
    const parts = Object.entries(imp).map(([k, v]) => `${k} ${String(v)}`);
    text += `, ${parts.join(' ')} seed ${flags.seed}`;
  }
  return text;
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
