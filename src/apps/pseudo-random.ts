/**
 * Deterministic pseudo-random bytes for test bodies: the first PERIOD bytes
 * of the AES-128-CTR keystream under a key derived from a 32-bit seed, over
 * and over (byte i of a body is byte i mod PERIOD of that block). Not a
 * secret, just incompressible within any window shorter than PERIOD (≈ 1 MiB,
 * as the kernel baseline's repeated 1 MiB block in bench/interop.ts) and
 * reproducible: the same (n, seed) always gives the same bytes, so a server
 * can hash a body before sending it and stream it afterwards without ever
 * holding it whole, and a test can regenerate what it expects to receive.
 * Bodies shorter than PERIOD are the plain keystream.
 *
 * Why a repeated block: the chunks of a body are views into one cached block
 * per seed, so streaming costs neither a cipher pass nor a fresh 64 KiB
 * buffer per chunk. Allocating those (cipher.update returns a new buffer)
 * cost as much CPU as the rest of a /bytes download's send path over TUN
 * (bench/interop.ts; fresh memory page-faults on every use). PERIOD is prime,
 * so a body misplaced by a power-of-two offset still hashes differently.
 */
import { createCipheriv, createHash } from 'node:crypto';

/** Bytes per chunk the generator yields. */
export const CHUNK_BYTES = 64 * 1024;

/** Bytes after which a body repeats (the largest prime below 2^20). */
export const PERIOD = 1_048_573;

/** Cached blocks, one per recent seed: PERIOD bytes, then their first CHUNK_BYTES again, so every chunk is one contiguous view. */
const BLOCKS = new Map<number, Buffer>();
const BLOCKS_KEPT = 4;

function keyFor(seed: number): Buffer {
  const key = Buffer.from('synack-bytes----', 'latin1'); // 16 bytes
  key.writeUInt32BE(seed >>> 0, 12);
  return key;
}

function blockFor(seed: number): Buffer {
  const key = seed >>> 0;
  let block = BLOCKS.get(key);
  if (block !== undefined) {
    BLOCKS.delete(key); // most recently used last
  } else {
    const cipher = createCipheriv('aes-128-ctr', keyFor(key), Buffer.alloc(16));
    block = Buffer.allocUnsafe(PERIOD + CHUNK_BYTES);
    cipher.update(Buffer.alloc(PERIOD)).copy(block, 0);
    block.copy(block, PERIOD, 0, CHUNK_BYTES);
    if (BLOCKS.size >= BLOCKS_KEPT) BLOCKS.delete(BLOCKS.keys().next().value!);
  }
  BLOCKS.set(key, block);
  return block;
}

/**
 * The bytes of (n, seed) as a sequence of chunks of at most CHUNK_BYTES.
 * The chunks are read-only views of a shared cached block: copy one before
 * changing it (pseudoRandomBytes returns a copy of its own).
 */
export function* pseudoRandomChunks(n: number, seed = 0): Generator<Buffer> {
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`byte count must be a non-negative integer, got ${n}`);
  if (n === 0) return;
  const block = blockFor(seed);
  let at = 0; // offset in the block of the next byte, in 0..PERIOD-1
  for (let left = n; left > 0; left -= CHUNK_BYTES) {
    const len = Math.min(left, CHUNK_BYTES);
    yield block.subarray(at, at + len);
    at += len;
    if (at >= PERIOD) at -= PERIOD;
  }
}

/** All n bytes at once, in a buffer of their own (for tests and small bodies). */
export function pseudoRandomBytes(n: number, seed = 0): Buffer {
  return Buffer.concat([...pseudoRandomChunks(n, seed)], n);
}

/**
 * Hex SHA-256 of the bytes of (n, seed). Yields to the event loop every few
 * MiB so a large body does not stall everything else in the process (a
 * userspace TCP stack's timers and other connections among them).
 */
export async function pseudoRandomSha256(n: number, seed = 0): Promise<string> {
  const hash = createHash('sha256');
  let sinceYield = 0;
  for (const chunk of pseudoRandomChunks(n, seed)) {
    hash.update(chunk);
    sinceYield += chunk.length;
    if (sinceYield >= 4 * 1024 * 1024) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return hash.digest('hex');
}
