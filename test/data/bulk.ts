import type { ConnectionInfo } from '../../src/tcp/info.js';
/**
 * Bulk transfer in both directions at once between two stacks (test helper,
 * not a test file): each side writes its own random bytes as fast as the
 * send buffer takes them, reads everything the other sends, then half-closes.
 * Returns SHA-256 digests of what was sent and received on each side.
 */
import { createHash } from 'node:crypto';
import type { PairOptions } from '../../src/link/memory.js';
import type { TcpSocket } from '../../src/stack/socket.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { Rng } from '../../src/util/rng.js';
import { twoStacks, type TwoStacks } from '../helpers/two-stacks.js';

export interface BulkOptions {
  seed: number;
  link?: PairOptions;
  tcp?: Partial<TcpConfig>;
  tcpA?: Partial<TcpConfig>;
  tcpB?: Partial<TcpConfig>;
  /** Bytes A sends to B and B sends to A. */
  bytesAtoB: number;
  bytesBtoA: number;
  /** Largest single write, bytes (writes are of random size up to this). */
  maxWrite?: number;
  /** Run over IPv6 (fd00::1 → fd00::2). */
  v6?: boolean;
  /** Called with the network before the connection opens (to tap links, say). */
  setup?: (net: TwoStacks) => void;
  /** Virtual time limit, ms (default a day: without SACK and timestamps, 30 % loss can take an hour of backoff). */
  maxMs?: number;
}

export interface BulkResult {
  net: TwoStacks;
  client: TcpSocket;
  server: TcpSocket | undefined;
  sentAtoB: string;
  recvAtoB: string;
  sentBtoA: string;
  recvBtoA: string;
  bytesRecvAtoB: number;
  bytesRecvBtoA: number;
  eofAtB: boolean;
  eofAtA: boolean;
  /** Errors reported to either application, e.g. "A:ECONNRESET". */
  errors: string[];
  /** Errors reported before both sides had all their data and EOF (a lossy link may still kill a close handshake). */
  errorsBeforeDone: string[];
  virtualMs: number;
  /** The client's `ss -ti` view when it saw EOF (a connection in TIME_WAIT keeps no such detail). */
  clientInfo: ConnectionInfo | undefined;
}

export function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = rng.nextU32();
    out[i] = v;
    out[i + 1] = v >>> 8;
    out[i + 2] = v >>> 16;
    out[i + 3] = v >>> 24;
  }
  for (; i < n; i++) out[i] = rng.nextU32();
  return out;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A sender that writes `data` in random-sized pieces whenever the socket takes more, then half-closes. */
function pump(sock: TcpSocket, data: Uint8Array, rng: Rng, maxWrite: number): () => void {
  let off = 0;
  let done = false;
  const go = (): void => {
    while (off < data.length) {
      const want = Math.min(data.length - off, 1 + rng.int(maxWrite));
      const n = sock.write(data.subarray(off, off + want));
      off += n;
      if (n < want) return;
    }
    if (!done) {
      done = true;
      sock.shutdown();
    }
  };
  sock.on('writable', go);
  return go;
}

/** A reader that collects everything into one buffer of the expected size. */
function collect(sock: TcpSocket, expected: number, onEof: () => void): { buf: Uint8Array; got: () => number } {
  const buf = new Uint8Array(expected);
  let got = 0;
  let over = 0;
  sock.on('readable', () => {
    for (let d = sock.read(); d; d = sock.read()) {
      if (got + d.length > expected) over += d.length;
      else buf.set(d, got);
      got += d.length;
    }
  });
  sock.on('end', onEof);
  return { buf, got: () => got + over };
}

export function runBulk(o: BulkOptions): BulkResult {
  const rng = new Rng(o.seed ^ 0x5eed);
  const net = twoStacks({ seed: o.seed, link: o.link, tcp: o.tcp, tcpA: o.tcpA, tcpB: o.tcpB, v6: o.v6 });
  o.setup?.(net);
  const dataA = randomBytes(rng, o.bytesAtoB);
  const dataB = randomBytes(rng, o.bytesBtoA);
  const maxWrite = o.maxWrite ?? 20_000;
  const errors: string[] = [];
  const errorsBeforeDone: string[] = [];
  let eofAtA = false;
  let eofAtB = false;
  const onError = (who: string, code: string): void => {
    errors.push(`${who}:${code}`);
    if (!(eofAtA && eofAtB)) errorsBeforeDone.push(`${who}:${code}`);
  };
  let server: TcpSocket | undefined;
  let recvB: { buf: Uint8Array; got: () => number } | undefined;
  const listener = net.b.listen(80);
  listener.on('connection', (s) => {
    server = s;
    s.on('error', (e) => onError('B', e.code));
    recvB = collect(s, o.bytesAtoB, () => (eofAtB = true));
    pump(s, dataB, rng.fork(), maxWrite)();
  });
  const client = net.a.connect({ remoteAddress: o.v6 ? 'fd00::2' : '10.0.0.2', remotePort: 80 });
  client.on('error', (e) => onError('A', e.code));
  let clientInfo: ConnectionInfo | undefined;
  const recvA = collect(client, o.bytesBtoA, () => {
    eofAtA = true;
    clientInfo = client.info(); // before TIME_WAIT swaps the TCB for its compact record
  });
  const goA = pump(client, dataA, rng.fork(), maxWrite);
  client.on('connect', goA);
  const t0 = net.clock.now();
  net.settle(o.maxMs ?? 86_400_000);
  return {
    net,
    client,
    clientInfo,
    server,
    sentAtoB: sha(dataA),
    recvAtoB: recvB ? sha(recvB.buf) : '',
    sentBtoA: sha(dataB),
    recvBtoA: sha(recvA.buf),
    bytesRecvAtoB: recvB ? recvB.got() : 0,
    bytesRecvBtoA: recvA.got(),
    eofAtA,
    eofAtB,
    errors,
    errorsBeforeDone,
    virtualMs: net.clock.now() - t0,
  };
}
