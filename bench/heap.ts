/** Memory in use: V8 heap plus array buffers, after two full GCs when run with --expose-gc (else as it stands). */
export function heapBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
