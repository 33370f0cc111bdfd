/**
 * Creating and configuring a TUN network device (tun(4), netdevice(7)).
 *
 * open("/dev/net/tun") gives a fresh file descriptor; ioctl(fd, TUNSETIFF,
 * &ifreq) then binds it to the device named in ifr_name, creating it if it does
 * not exist, or attaching to it if it exists and is a TUN device no one else is
 * attached to (e.g. one made with `ip tuntap add mode tun NAME`). An empty name
 * lets the kernel pick `tun%d`; the chosen name is written back into ifreq.
 * IFF_NO_PI means each read()/write() is exactly one IP packet, with no 4-byte
 * flags/proto prefix. A device that is not persistent disappears when the last
 * fd bound to it is closed.
 *
 * MTU and the up flag are set with the SIOCSIFMTU / SIOCSIFFLAGS ioctls of
 * netdevice(7) on any AF_INET socket; addresses with `ip addr add` (iproute2).
 */
import { execFile } from 'node:child_process';
import {
  AF_INET,
  IFF_NO_PI,
  IFF_TUN,
  IFF_UP,
  IFF_VNET_HDR,
  IFNAMSIZ,
  IFREQ_SIZE,
  IFREQ_UNION,
  O_CLOEXEC,
  O_NONBLOCK,
  O_RDWR,
  SIOCGIFFLAGS,
  SIOCGIFMTU,
  SIOCSIFFLAGS,
  SIOCSIFMTU,
  SIOCGIFTXQLEN,
  SIOCSIFTXQLEN,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SysError,
  TUNSETIFF,
  TUNSETOFFLOAD,
  libc,
} from './libc.js';

export const TUN_PATH = '/dev/net/tun';

/** A Linux interface name: 1–15 bytes, no '/', ':' or whitespace (see dev_valid_name() in net/core/dev.c). */
export function checkInterfaceName(name: string): void {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name) || name === '.' || name === '..') {
    throw new RangeError(`invalid interface name "${name}" (1-15 characters of [A-Za-z0-9_.-])`);
  }
}

function ifreq(name: string): Uint8Array {
  const buf = new Uint8Array(IFREQ_SIZE);
  buf.set(new TextEncoder().encode(name)); // NUL-terminated by the zero fill
  return buf;
}

function ifreqName(buf: Uint8Array): string {
  const end = buf.subarray(0, IFNAMSIZ).indexOf(0);
  return new TextDecoder().decode(buf.subarray(0, end < 0 ? IFNAMSIZ : end));
}

/**
 * Open /dev/net/tun (close-on-exec, non-blocking unless `blocking`) and bind it
 * to a TUN device with IFF_TUN | IFF_NO_PI (and IFF_VNET_HDR with `vnetHdr`:
 * every packet then carries a virtio_net_hdr, see vnet-header.ts). Returns the
 * fd and the device's actual name. The caller owns the fd (TunLink closes its own).
 */
export function openTun(name = '', opts: { blocking?: boolean; vnetHdr?: boolean } = {}): { fd: number; name: string } {
  if (name !== '') checkInterfaceName(name);
  const c = libc();
  const fd = c.open(TUN_PATH, O_RDWR | O_CLOEXEC | (opts.blocking ? 0 : O_NONBLOCK));
  if (fd < 0) throw new SysError('open', c.errno(), TUN_PATH);
  const req = ifreq(name);
  new DataView(req.buffer).setInt16(IFREQ_UNION, IFF_TUN | IFF_NO_PI | (opts.vnetHdr ? IFF_VNET_HDR : 0), true);
  if (c.ioctlPtr(fd, TUNSETIFF, req) < 0) {
    const e = c.errno();
    c.close(fd);
    throw new SysError('ioctl(TUNSETIFF)', e, name || '(any)');
  }
  return { fd, name: ifreqName(req) };
}

/** TUNSETOFFLOAD on a TUN fd opened with IFF_VNET_HDR (TUN_F_* flags; 0 turns every offload off). Throws SysError when the kernel refuses. */
export function setOffload(fd: number, flags: number): void {
  const c = libc();
  if (c.ioctlInt(fd, TUNSETOFFLOAD, flags >>> 0) < 0) throw new SysError('ioctl(TUNSETOFFLOAD)', c.errno(), `0x${flags.toString(16)}`);
}

/** Run one SIOC* ioctl on a throwaway AF_INET datagram socket (netdevice(7)). */
function sockIoctl(name: string, req: number, what: string, fill?: (view: DataView) => void): DataView {
  checkInterfaceName(name);
  const c = libc();
  const sock = c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) throw new SysError('socket', c.errno());
  try {
    const buf = ifreq(name);
    const view = new DataView(buf.buffer);
    fill?.(view);
    if (c.ioctlPtr(sock, req, buf) < 0) throw new SysError(`ioctl(${what})`, c.errno(), name);
    return view;
  } finally {
    c.close(sock);
  }
}

/** The interface's MTU (SIOCGIFMTU). */
export function getMtu(name: string): number {
  return sockIoctl(name, SIOCGIFMTU, 'SIOCGIFMTU').getInt32(IFREQ_UNION, true);
}

/** Set the interface's MTU (SIOCSIFMTU; needs CAP_NET_ADMIN). */
export function setMtu(name: string, mtu: number): void {
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new RangeError(`mtu must be an integer in 68..65535, got ${mtu}`);
  sockIoctl(name, SIOCSIFMTU, 'SIOCSIFMTU', (v) => v.setInt32(IFREQ_UNION, mtu, true));
}

/** The interface's transmit queue length, txqueuelen (SIOCGIFTXQLEN). */
export function getTxQueueLen(name: string): number {
  return sockIoctl(name, SIOCGIFTXQLEN, 'SIOCGIFTXQLEN').getInt32(IFREQ_UNION, true);
}

/**
 * Set txqueuelen (SIOCSIFTXQLEN; needs CAP_NET_ADMIN): for a TUN device, how
 * many packets the kernel queues for the reader before it drops (default 500
 * for TUN; `ip link set NAME txqueuelen N` does the same).
 */
export function setTxQueueLen(name: string, len: number): void {
  if (!Number.isInteger(len) || len < 1 || len > 1_000_000) throw new RangeError(`txqueuelen must be an integer in 1..1000000, got ${len}`);
  sockIoctl(name, SIOCSIFTXQLEN, 'SIOCSIFTXQLEN', (v) => v.setInt32(IFREQ_UNION, len, true));
}

/** Bring the interface up or down: read-modify-write of IFF_UP (SIOCGIFFLAGS / SIOCSIFFLAGS). */
export function setUp(name: string, up = true): void {
  const flags = sockIoctl(name, SIOCGIFFLAGS, 'SIOCGIFFLAGS').getInt16(IFREQ_UNION, true);
  const next = up ? flags | IFF_UP : flags & ~IFF_UP;
  if (next !== flags) sockIoctl(name, SIOCSIFFLAGS, 'SIOCSIFFLAGS', (v) => v.setInt16(IFREQ_UNION, next, true));
}

/** Whether the interface is administratively up. */
export function isUp(name: string): boolean {
  return (sockIoctl(name, SIOCGIFFLAGS, 'SIOCGIFFLAGS').getInt16(IFREQ_UNION, true) & IFF_UP) !== 0;
}

/**
 * Give the kernel side of the interface an address: `ip addr add ADDR/PREFIX
 * dev NAME` (IPv4 or IPv6). This installs the connected route, so the kernel
 * sends packets for the rest of the prefix into the TUN device. Bounded by
 * `timeoutMs`.
 */
export function addAddress(name: string, cidr: string, timeoutMs = 5000): Promise<void> {
  checkInterfaceName(name);
  if (!/^[0-9A-Fa-f:.]+\/\d{1,3}$/.test(cidr)) throw new RangeError(`expected ADDR/PREFIX, got "${cidr}"`);
  return runIp(['addr', 'add', cidr, 'dev', name], timeoutMs);
}

/** Run `ip ARGS…` (iproute2) with a timeout; rejects with its stderr on failure. */
export function runIp(args: string[], timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: timeoutMs }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`ip ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}
