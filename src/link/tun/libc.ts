/**
 * The few libc calls link/tun needs, bound with koffi (a prebuilt FFI: no
 * compiler at install time), plus the Linux constants they take.
 *
 * Constants are the asm-generic values used by x86-64, arm64, arm, riscv64
 * and loongarch64 (not alpha, mips, parisc, powerpc or sparc, which differ).
 *
 * Buffers are passed as raw addresses (`uintptr_t`) where the caller keeps a
 * SharedArrayBuffer alive and knows its base address: that avoids creating
 * a subarray per call on the hot path. Everything else takes a Uint8Array.
 */
import * as koffi from 'koffi';

// open(2) flags (asm-generic/fcntl.h).
export const O_RDWR = 0o2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;

// errno values (asm-generic/errno-base.h, errno.h).
export const EINTR = 4;
export const EAGAIN = 11;

// poll(2) events (asm-generic/poll.h).
export const POLLIN = 0x001;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;

// eventfd(2) flags: EFD_NONBLOCK = O_NONBLOCK, EFD_CLOEXEC = O_CLOEXEC.
export const EFD_NONBLOCK = O_NONBLOCK;
export const EFD_CLOEXEC = O_CLOEXEC;

// socket(2), for the SIOC* ioctls of netdevice(7), which take any socket.
export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const SOCK_CLOEXEC = O_CLOEXEC;

/**
 * tun(4) / linux/if_tun.h. TUNSETIFF = _IOW('T', 202, int):
 * dir=write(1)<<30 | size=4<<16 | type='T'(0x54)<<8 | nr=202(0xca).
 * TUNSETPERSIST = _IOW('T', 203, int).
 */
export const TUNSETIFF = 0x400454ca;
export const TUNSETPERSIST = 0x400454cb;
/** ifr_flags for TUNSETIFF: a layer-3 device, and no 4-byte packet-information prefix on each packet. */
export const IFF_TUN = 0x0001;
export const IFF_NO_PI = 0x1000;
/** ifr_flags: every packet read or written is preceded by a struct virtio_net_hdr (vnet-header.ts). */
export const IFF_VNET_HDR = 0x4000;
/**
 * TUNSETOFFLOAD = _IOW('T', 208, unsigned int): the offloads the reader of
 * this fd accepts, passed by value. The kernel then may hand it packets with
 * partial checksums (TUN_F_CSUM) and TCP super-packets (TUN_F_TSO4/6), and
 * turns on the matching device features for what we write. Needs IFF_VNET_HDR.
 * Unknown bits make it fail with EINVAL.
 */
export const TUNSETOFFLOAD = 0x400454d0;
export const TUN_F_CSUM = 0x01;
export const TUN_F_TSO4 = 0x02;
export const TUN_F_TSO6 = 0x04;

/** netdevice(7), linux/sockios.h. */
export const SIOCGIFFLAGS = 0x8913;
export const SIOCSIFFLAGS = 0x8914;
export const SIOCGIFMTU = 0x8921;
export const SIOCSIFMTU = 0x8922;
/** ifr_qlen (an int at offset 16): the device's transmit queue length, txqueuelen. */
export const SIOCGIFTXQLEN = 0x8942;
export const SIOCSIFTXQLEN = 0x8943;
/** net/if.h: interface flag "up". */
export const IFF_UP = 0x1;

/**
 * struct ifreq (netdevice(7)): char ifr_name[IFNAMSIZ = 16] followed by a
 * union whose largest member (struct ifmap, or struct sockaddr on 32-bit) makes
 * the whole struct 40 bytes on 64-bit Linux and 32 on 32-bit. We allocate 40.
 * ifr_flags is a short at offset 16; ifr_mtu an int at offset 16.
 */
export const IFNAMSIZ = 16;
export const IFREQ_SIZE = 40;
export const IFREQ_UNION = 16;

/** prctl(2): set the calling thread's name. */
export const PR_SET_NAME = 15;

/** struct pollfd (poll(2)): int fd; short events; short revents — 8 bytes. */
export const POLLFD_SIZE = 8;

export interface Libc {
  open(path: string, flags: number): number;
  close(fd: number): number;
  /** ioctl(fd, req, void *arg); `arg` is read and written in place. */
  ioctlPtr(fd: number, req: number, arg: Uint8Array): number;
  /** ioctl(fd, req, unsigned long arg): an argument passed by value. */
  ioctlInt(fd: number, req: number, arg: number): number;
  socket(domain: number, type: number, protocol: number): number;
  eventfd(initval: number, flags: number): number;
  /** read(2) into the memory at address `buf`. */
  readAt(fd: number, buf: number, count: number): number;
  write(fd: number, buf: Uint8Array, count: number): number;
  /** poll(2) on the pollfd array at address `fds`. */
  pollAt(fds: number, nfds: number, timeoutMs: number): number;
  /** Name the calling thread (prctl(2) PR_SET_NAME, 15 bytes at most), as shown by `top -H` and /proc/PID/task/TID/comm. */
  setThreadName(name: string): void;
  /** errno of the last call made through koffi on this thread. */
  errno(): number;
  strerror(errnum: number): string;
  /** Address of the first byte of a typed array's memory (stable for a SharedArrayBuffer). */
  addressOf(view: Uint8Array | Int32Array): number;
}

let cached: Libc | undefined;

/** Bind libc once per thread (each worker thread has its own koffi instance). */
export function libc(): Libc {
  if (cached !== undefined) return cached;
  if (process.platform !== 'linux') throw new Error('link/tun: Linux only');
  const lib = koffi.load('libc.so.6');
  const open = lib.func('int open(const char *path, int flags)');
  const close = lib.func('int close(int fd)');
  // ioctl is variadic in glibc; koffi needs the type of each extra argument at the call.
  const ioctl = lib.func('int ioctl(int fd, unsigned long req, ...)');
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const eventfd = lib.func('int eventfd(unsigned int initval, int flags)');
  const read = lib.func('read', 'intptr_t', ['int', 'uintptr_t', 'size_t']);
  const write = lib.func('intptr_t write(int fd, const void *buf, size_t count)');
  const poll = lib.func('poll', 'int', ['uintptr_t', 'unsigned long', 'int']);
  const strerror = lib.func('const char *strerror(int errnum)');
  const prctl = lib.func('int prctl(int option, ...)');
  cached = {
    open: (path, flags) => open(path, flags) as number,
    close: (fd) => close(fd) as number,
    ioctlPtr: (fd, req, arg) => ioctl(fd, req, 'void *', arg) as number,
    ioctlInt: (fd, req, arg) => ioctl(fd, req, 'unsigned long', arg) as number,
    socket: (d, t, p) => socket(d, t, p) as number,
    eventfd: (v, f) => eventfd(v, f) as number,
    readAt: (fd, buf, n) => Number(read(fd, buf, n)),
    write: (fd, buf, n) => Number(write(fd, buf, n)),
    pollAt: (fds, n, t) => poll(fds, n, t) as number,
    setThreadName: (name) => void prctl(PR_SET_NAME, 'const char *', name.slice(0, 15)),
    errno: () => koffi.errno(),
    strerror: (e) => String(strerror(e)),
    addressOf: (view) => Number(koffi.address(view)),
  };
  return cached;
}

/** An Error carrying errno, like Node's system errors. */
export class SysError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    detail?: string,
  ) {
    super(`${syscall}${detail ? ` ${detail}` : ''}: ${errnoMessage(errno)} (errno ${errno})`);
    this.name = 'SysError';
  }
}

function errnoMessage(e: number): string {
  try {
    return libc().strerror(e);
  } catch {
    return 'error';
  }
}
