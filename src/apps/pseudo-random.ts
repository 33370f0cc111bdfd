/**
 * Deterministic pseudo-random bytes for test bodies: the AES-128-CTR
 * keystream under a key derived from a 32-bit seed (OpenSSL, so ~1 GB/s;
 * not a secret, just incompressible and reproducible). The same (n, seed)
 * always gives the same bytes, so a server can hash a body before sending it
 * and stream it afterwards without ever holding it whole, and a test can
 * regenerate what it expects to receive.
 */
import { createCipheriv, createHash } from 'node:crypto';

/** Bytes per chunk the generator yields. */
export const CHUNK_BYTES = 64 * 1024;

const ZEROS = Buffer.alloc(CHUNK_BYTES);

function keyFor(seed: number): Buffer {
  const key = Buffer.from('synack-bytes----', 'latin1'); // 16 bytes
  key.writeUInt32BE(seed >>> 0, 12);
  return key;
}

/** The bytes of (n, seed) as a sequence of fresh chunks of at most CHUNK_BYTES. */
export function* pseudoRandomChunks(n: number, seed = 0): Generator<Buffer> {
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`byte count must be a non-negative integer, got ${n}`);
  const cipher = createCipheriv('aes-128-ctr', keyFor(seed), Buffer.alloc(16));
  for (let left = n; left > 0; left -= CHUNK_BYTES) {
    yield cipher.update(left >= CHUNK_BYTES ? ZEROS : ZEROS.subarray(0, left));
  }
}

/** All n bytes at once (for tests and small bodies). */
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
