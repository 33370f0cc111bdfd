/**
 * The link flags `serve`, `connect` and `fetch` share: which TUN device, our
 * address on it, the kernel's, MTU, MSL, a pcap file, and the impairment
 * model (the kernel here has no netem, so loss and friends are applied in
 * synack's own link layer, both directions). Parsing only; tun-stack.ts
 * opens what they describe.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Impairment } from '../link/memory.js';
import { formatAddress, parseAddress } from '../wire/address.js';

/** A bad command line: the command prints the message and its help, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const LINK_OPTIONS = {
  tun: { type: 'string' },
  ip: { type: 'string' },
  'host-ip': { type: 'string' },
  mtu: { type: 'string' },
  msl: { type: 'string' },
  pcap: { type: 'string' },
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
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const LINK_HELP = `link:
  --tun IFNAME          TUN device to create, or attach to if it exists (required)
  --ip ADDR/PREFIX      synack's address on it, e.g. 10.9.0.2/24 (required)
  --host-ip ADDR        give the kernel side this address (same prefix) and bring the device up
  --mtu N               set the device MTU first (68..65535)
  --msl SECONDS         maximum segment lifetime; TIME_WAIT lasts 2×MSL (default 30)
  --pcap FILE           record every packet crossing the device (pcap, LINKTYPE_RAW: Wireshark, tcpdump -r)
impairments, applied inside synack to both directions:
  --loss P              drop each packet with probability P (0..1)
  --duplicate P         deliver a packet twice with probability P
  --reorder P           hold a packet back so later ones overtake it, with probability P
  --reorder-delay MS    how long a reordered packet is held (default 2×(delay+1))
  --delay MS            one-way delay added to every packet
  --jitter MS           extra delay drawn from [0, MS)
  --rate BITS           serialize at this rate (bits/s; suffix k, M or G), drop-tail queue
  --queue-limit BYTES   size of that queue (default 1 MiB)
  --corrupt P           flip one bit of a packet with probability P
  --seed N              seed of the impairment model (default 1): same seed, same pattern`;

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
  /** Undefined when no impairment was asked for (the link is then used as is). */
  impairment?: Impairment;
  seed: number;
}

type Values = { [K in keyof typeof LINK_OPTIONS]?: (typeof LINK_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/**
 * Parse a command line made of the link flags plus the command's own
 * `options`; throws UsageError on unknown flags, missing values or bad
 * positionals count.
 */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
): { values: Values & { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...LINK_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values: values as never, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Check and convert the link flags. */
export function parseLinkFlags(values: Values): LinkFlags {
  const tun = values.tun;
  if (tun === undefined) throw new UsageError('--tun IFNAME is required');
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(tun) || tun === '.' || tun === '..') throw new UsageError(`--tun: invalid interface name "${tun}" (1-15 characters of [A-Za-z0-9_.-])`);
  if (values.ip === undefined) throw new UsageError('--ip ADDR/PREFIX is required');
  const { bytes, prefix } = parseCidr(values.ip);
  const flags: LinkFlags = { tun, address: formatAddress(bytes), prefix, seed: 1 };

  if (values['host-ip'] !== undefined) {
    const host = parseAddress(values['host-ip']);
    if (!host) throw new UsageError(`--host-ip: "${values['host-ip']}" is not an IP address`);
    if (host.length !== bytes.length) throw new UsageError('--host-ip and --ip must be of the same family');
    if (formatAddress(host) === flags.address) throw new UsageError('--host-ip must differ from --ip (one end of the link each)');
    if (!samePrefix(host, bytes, prefix)) throw new UsageError(`--host-ip ${values['host-ip']} is not in ${values.ip}: the kernel would not route that prefix into the device`);
    flags.hostIp = formatAddress(host);
  }
  const mtu = num(values, 'mtu', (n) => Number.isInteger(n) && n >= (bytes.length === 16 ? 1280 : 68) && n <= 65535, `an integer in ${bytes.length === 16 ? 1280 : 68}..65535`);
  if (mtu !== undefined) flags.mtu = mtu;
  const msl = num(values, 'msl', (n) => n > 0 && n <= 3600, 'seconds in (0, 3600]');
  if (msl !== undefined) flags.msl = msl * 1000;
  if (values.pcap !== undefined) {
    if (values.pcap === '') throw new UsageError('--pcap needs a file name');
    flags.pcap = values.pcap;
  }
  const seed = num(values, 'seed', (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer in 0..4294967295');
  if (seed !== undefined) flags.seed = seed;

  const imp: Impairment = {};
  const probability = (n: number): boolean => n >= 0 && n <= 1;
  const ms = (n: number): boolean => n >= 0 && n <= 60_000;
  const set = <K extends keyof Impairment>(key: K, v: Impairment[K] | undefined): void => {
    if (v !== undefined) imp[key] = v;
  };
  set('loss', num(values, 'loss', probability, 'a probability in 0..1'));
  set('duplicate', num(values, 'duplicate', probability, 'a probability in 0..1'));
  set('reorder', num(values, 'reorder', probability, 'a probability in 0..1'));
  set('corrupt', num(values, 'corrupt', probability, 'a probability in 0..1'));
  set('reorderDelayMs', num(values, 'reorder-delay', ms, 'milliseconds in 0..60000'));
  set('delayMs', num(values, 'delay', ms, 'milliseconds in 0..60000'));
  set('jitterMs', num(values, 'jitter', ms, 'milliseconds in 0..60000'));
  set('queueLimitBytes', num(values, 'queue-limit', (n) => Number.isInteger(n) && n >= 1500, 'an integer number of bytes >= 1500'));
  if (values.rate !== undefined) imp.rateBps = parseRate(values.rate);
  if (Object.keys(imp).length > 0) flags.impairment = imp;
  return flags;
}

/** "10.9.0.2/24", "fd00::2/64"; a bare address gets /24 (IPv4) or /64 (IPv6). */
function parseCidr(text: string): { bytes: Uint8Array; prefix: number } {
  const [addr, len, extra] = text.split('/');
  const bytes = parseAddress(addr ?? '');
  if (!bytes || extra !== undefined) throw new UsageError(`--ip: expected ADDR/PREFIX, got "${text}"`);
  const max = bytes.length * 8;
  if (len === undefined) return { bytes, prefix: bytes.length === 4 ? 24 : 64 };
  const prefix = Number(len);
  if (!/^\d{1,3}$/.test(len) || prefix < 1 || prefix > max - 1) throw new UsageError(`--ip: prefix length must be in 1..${max - 1}, got "${len}"`);
  return { bytes, prefix };
}

function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> (bit & 7);
    if ((a[bit >> 3]! & mask) !== (b[bit >> 3]! & mask)) return false;
  }
  return true;
}

/** A numeric flag: undefined when absent; UsageError when not a number satisfying `ok`. */
function num(values: Record<string, unknown>, name: string, ok: (n: number) => boolean, what: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name}: expected ${what}, got "${String(raw)}"`);
  return n;
}

/** "10M" → 10e6 bits/s (k, M, G are powers of 1000, as in networking). */
function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(text.trim());
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[(m?.[2] ?? '').toLowerCase()];
  const n = m && scale !== undefined ? Number(m[1]) * scale : NaN;
  if (!(n >= 1000)) throw new UsageError(`--rate: expected bits per second of at least 1000 (e.g. 500k, 10M, 1G), got "${text}"`);
  return n;
}
