/**
 * Deadlines of numbered rows (0 … capacity−1) in a binary min-heap held in
 * typed arrays: no object per row. `set` adds a row or moves its deadline,
 * `remove` takes it out, `first` is the row due soonest; all O(log n).
 * The stack's TIME_WAIT table keeps its 2MSL deadlines here (a restarted
 * 2MSL moves a row, and rows may have different lifetimes, so a plain FIFO
 * would not stay in order).
 */
export class ExpiryHeap {
  /** Deadline of each row (valid while the row is in the heap). */
  private at: Float64Array;
  /** The heap: rows, parent before children. */
  private heap: Int32Array;
  /** Position of each row in `heap`, −1 when absent. */
  private pos: Int32Array;
  /** When each row's deadline was set (a counter): rows due at the same time leave in the order they were set. */
  private order: Uint32Array;
  private n = 0;
  private counter = 0;

  constructor(capacity: number) {
    this.at = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
    this.order = new Uint32Array(capacity);
  }

  /** Bytes held: every array, each with one element per row. */
  get byteLength(): number {
    return this.at.byteLength + this.heap.byteLength + this.pos.byteLength + this.order.byteLength;
  }

  get size(): number {
    return this.n;
  }

  /** Make room for rows up to `capacity` − 1 (never shrinks). */
  grow(capacity: number): void {
    if (capacity <= this.pos.length) return;
    const at = new Float64Array(capacity);
    at.set(this.at);
    const heap = new Int32Array(capacity);
    heap.set(this.heap);
    const pos = new Int32Array(capacity).fill(-1);
    pos.set(this.pos);
    const order = new Uint32Array(capacity);
    order.set(this.order);
    this.order = order;
    this.at = at;
    this.heap = heap;
    this.pos = pos;
  }

  has(row: number): boolean {
    return this.pos[row]! >= 0;
  }

  deadline(row: number): number {
    return this.at[row]!;
  }

  /** The row due soonest, or −1 when empty. */
  get first(): number {
    return this.n > 0 ? this.heap[0]! : -1;
  }

  /** Add `row` with deadline `at`, or move its deadline. */
  set(row: number, at: number): void {
    let i = this.pos[row]!;
    this.at[row] = at;
    this.order[row] = this.counter = (this.counter + 1) >>> 0;
    if (i < 0) {
      i = this.n++;
      this.heap[i] = row;
      this.pos[row] = i;
    }
    this.down(this.up(i));
  }

  remove(row: number): void {
    const i = this.pos[row]!;
    if (i < 0) return;
    this.pos[row] = -1;
    const last = this.heap[--this.n]!;
    if (i === this.n) return;
    this.heap[i] = last;
    this.pos[last] = i;
    this.down(this.up(i));
  }

  private up(i: number): number {
    const heap = this.heap;
    const row = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!this.before(row, parent)) break;
      heap[i] = parent;
      this.pos[parent] = i;
      i = p;
    }
    heap[i] = row;
    this.pos[row] = i;
    return i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const row = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.n) break;
      if (c + 1 < this.n && this.before(heap[c + 1]!, heap[c]!)) c++;
      const child = heap[c]!;
      if (!this.before(child, row)) break;
      heap[i] = child;
      this.pos[child] = i;
      i = c;
    }
    heap[i] = row;
    this.pos[row] = i;
  }

  /** Is row a due before row b? */
  private before(a: number, b: number): boolean {
    const x = this.at[a]!;
    const y = this.at[b]!;
    return x < y || (x === y && ((this.order[a]! - this.order[b]!) | 0) < 0);
  }
}
