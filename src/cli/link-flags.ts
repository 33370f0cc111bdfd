/**
 * The link flags `serve`, `connect` and `fetch` share: which TUN device, our
 * address on it, the kernel's, MTU, MSL, a pcap file, and the impairment
 * model (the kernel here has no netem, so loss and friends are applied in
 * synack's own link layer, both directions). Parsing only; tun-stack.ts
 * opens what they describe.
 */
import type { Impairment } from '../link/memory.js';
import { UsageError, addressPrefix, hostPort, bitRate, duration, integer, ipAddress, parseCommandArgs, probability, type OptionSpecs, type ParsedValues } from './args.js';

export { UsageError };

export const LINK_OPTIONS = {
  tun: { type: 'string' },
  ip: { type: 'string' },
  'host-ip': { type: 'string' },
  mtu: { type: 'string' },
  msl: { type: 'string' },
  pcap: { type: 'string' },
  'no-offload': { type: 'boolean' },
  txqueuelen: { type: 'string' },
  loss: { type: 'string' },
  duplicate: { type: 'string' },
  reorder: { type: 'string' },
  'reorder-delay': { type: 'string' },
  delay: { type: 'string' },
  jitter: { type: 'string' },
  rate: { type: 'string' },
  'queue-limit': { type: 'string' },
  corrupt: { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

export const LINK_HELP = `link:
  --tun IFNAME          TUN device to create, or attach to if it exists (required)
  --ip ADDR/PREFIX      synack's address on it, e.g. 10.9.0.2/24 (required)
  --host-ip ADDR        give the kernel side this address (same prefix) and bring the device up
  --mtu N               set the device MTU first (68..65535)
  --msl SECONDS         maximum segment lifetime (or with a unit: 500ms); TIME_WAIT lasts 2×MSL (default 30)
  --pcap FILE           record every packet crossing the device (pcap, LINKTYPE_RAW: Wireshark, tcpdump -r);
                        with offloads, TSO/GSO super-segments as handed over, before the kernel cuts them
  --no-offload          plain packets: no virtio-net header, TSO, GSO or checksum offload (on by default,
                        off anyway with an impairment, which works per packet)
  --txqueuelen N        the device's transmit queue: packets the kernel holds for synack (default 500)
impairments, applied inside synack to both directions:
  --loss P              drop each packet with probability P (0..1)
  --duplicate P         deliver a packet twice with probability P
  --reorder P           hold a packet back so later ones overtake it, with probability P
  --reorder-delay MS    how long a reordered packet is held (default 2×(delay+1))
  --delay MS            one-way delay added to every packet
  --jitter MS           extra delay drawn from [0, MS)
  --rate BITS           serialize at this rate in bits/s (suffix k, M or G: 10M), drop-tail queue
  --queue-limit BYTES   size of that queue (default 1 MiB)
  --corrupt P           flip one bit of a packet with probability P
  --seed N              seed of the impairment model (default 1): same seed, same pattern`;

/** Watching a TUN stack as it works: `serve`, `connect` and `fetch` all take these. */
export const WATCH_OPTIONS = {
  trace: { type: 'boolean' },
  admin: { type: 'string' },
} as const satisfies OptionSpecs;

export const WATCH_HELP = `watching:
  --trace               print each connection's state changes and segments as they happen, one line
                        each (← in, → out, rtx = retransmission, ✕ lost = dropped by the impairment)
  --admin HOST:PORT     GET /connections and /stats on the host's own network, for \`synack ss --admin\`
                        and \`synack nstat --admin\``;

export interface WatchFlags {
  trace: boolean;
  admin?: { host: string; port: number };
}

export function parseWatchFlags(values: ParsedValues<typeof WATCH_OPTIONS>): WatchFlags {
  const watch: WatchFlags = { trace: values.trace === true };
  if (values.admin !== undefined) watch.admin = hostPort('--admin', values.admin);
  return watch;
}

export interface LinkFlags {
  tun: string;
  /** Our address (normalized text) and prefix length. */
  address: string;
  prefix: number;
  /** The kernel's address on the device, if we are to set it. */
  hostIp?: string;
  mtu?: number;
  /** MSL in ms. */
  msl?: number;
  pcap?: string;
  /** TUN offloads (TSO/GSO, checksums): on unless --no-offload. */
  offload: boolean;
  txQueueLen?: number;
  /** Undefined when no impairment was asked for (the link is then used as is). */
  impairment?: Impairment;
  seed: number;
}

type Values = ParsedValues<typeof LINK_OPTIONS>;

/**
 * Parse a command line made of the link flags plus the command's own
 * `options`; throws UsageError on unknown flags and missing values.
 */
export function parseCommandLine<O extends OptionSpecs>(argv: string[], options: O): { values: Values & ParsedValues<O>; positionals: string[] } {
  const { values, positionals } = parseCommandArgs(argv, { ...LINK_OPTIONS, ...options });
  return { values: values as Values & ParsedValues<O>, positionals };
}

/** Check and convert the link flags. */
export function parseLinkFlags(values: Values): LinkFlags {
  const tun = values.tun;
  if (tun === undefined) throw new UsageError('--tun IFNAME is required');
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(tun) || tun === '.' || tun === '..') throw new UsageError(`--tun ${tun}: must be an interface name of 1 to 15 characters of A-Z a-z 0-9 _ . -`);
  if (values.ip === undefined) throw new UsageError('--ip ADDR/PREFIX is required');
  const { bytes, text, prefix } = addressPrefix('--ip', values.ip);
  const flags: LinkFlags = { tun, address: text, prefix, seed: 1, offload: values['no-offload'] !== true };

  if (values['host-ip'] !== undefined) {
    const raw = values['host-ip'];
    const host = ipAddress('--host-ip', raw);
    if (host.bytes.length !== bytes.length) throw new UsageError(`--host-ip ${raw}: must be of the same family as --ip ${values.ip}`);
    if (host.text === flags.address) throw new UsageError(`--host-ip ${raw}: must differ from --ip (one end of the link each)`);
    if (!samePrefix(host.bytes, bytes, prefix)) throw new UsageError(`--host-ip ${raw}: is not in ${values.ip}, so the kernel would not route that prefix into the device`);
    flags.hostIp = host.text;
  }
  const v6 = bytes.length === 16;
  if (values.mtu !== undefined) flags.mtu = integer('--mtu', values.mtu, v6 ? 1280 : 68, 65535, 'an integer', v6 ? ' (IPv6 needs 1280 at least)' : '');
  if (values.msl !== undefined) flags.msl = duration('--msl', values.msl, { unit: 's', minMs: 0, maxMs: 3_600_000, minExclusive: true });
  if (values.pcap !== undefined) {
    if (values.pcap === '') throw new UsageError('--pcap "": needs a file name');
    flags.pcap = values.pcap;
  }
  if (values.txqueuelen !== undefined) flags.txQueueLen = integer('--txqueuelen', values.txqueuelen, 1, 1_000_000);
  if (values.seed !== undefined) flags.seed = integer('--seed', values.seed, 0, 0xffffffff);

  const imp: Impairment = {};
  const ms = (flag: string, raw: string): number => duration(flag, raw, { unit: 'ms', minMs: 0, maxMs: 60_000 });
  if (values.loss !== undefined) imp.loss = probability('--loss', values.loss);
  if (values.duplicate !== undefined) imp.duplicate = probability('--duplicate', values.duplicate);
  if (values.reorder !== undefined) imp.reorder = probability('--reorder', values.reorder);
  if (values.corrupt !== undefined) imp.corrupt = probability('--corrupt', values.corrupt);
  if (values['reorder-delay'] !== undefined) imp.reorderDelayMs = ms('--reorder-delay', values['reorder-delay']);
  if (values.delay !== undefined) imp.delayMs = ms('--delay', values.delay);
  if (values.jitter !== undefined) imp.jitterMs = ms('--jitter', values.jitter);
  if (values['queue-limit'] !== undefined) imp.queueLimitBytes = integer('--queue-limit', values['queue-limit'], 1500, 2 ** 30, 'a number of bytes');
  if (values.rate !== undefined) imp.rateBps = bitRate('--rate', values.rate);
  if (Object.keys(imp).length > 0) flags.impairment = imp;
  return flags;
}

function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> (bit & 7);
    if ((a[bit >> 3]! & mask) !== (b[bit >> 3]! & mask)) return false;
  }
  return true;
}
