/**
 * Views of received payloads, made once per place in a link's buffer rather than once per packet (issue 11:
 * no allocation per segment received). A link that delivers from reused buffers (MemoryLink's packet pool,
 * TUN's ring: Link contract, valid only during the call) delivers payloads at the same few places of the
 * same buffer again and again; a view of [offset, offset + length) of that buffer is looked up by offset
 * and reused while its length matches, else made and remembered.
 *
 * TypedArray.prototype.set — the copy the receive queue makes — needs a source of the exact extent, and a
 * byte loop instead of a view costs ~40× the copy, so a view it is; what this saves is making it again.
 * A view handed out is valid only during the call it is passed to, as the packet is (the bytes under it
 * change with the next packet delivered there); nothing here reads them.
 *
 * Bounded: the views of the two buffers seen last (a stack on two links alternating keeps both), at most
 * MAX_VIEWS each. They pin those buffers only (a link's pool or ring, which the link holds anyway; a link
 * delivering each packet in a buffer of its own pins the last two packets).
 */
export class PayloadViews {
  private buffer: ArrayBufferLike | undefined = undefined;
  private views = new Map<number, Uint8Array>();
  private otherBuffer: ArrayBufferLike | undefined = undefined;
  private otherViews = new Map<number, Uint8Array>();

  /** `packet[start, start + length)` (length > 0), a view made before for the same place when there is one. */
  view(packet: Uint8Array, start: number, length: number): Uint8Array {
    const buffer = packet.buffer;
    if (buffer !== this.buffer) this.switchTo(buffer);
    const at = packet.byteOffset + start;
    const views = this.views;
    let v = views.get(at);
    if (v === undefined || v.length !== length) {
      v = packet.subarray(start, start + length);
      if (views.size >= MAX_VIEWS) views.clear();
      views.set(at, v);
    }
    return v;
  }

  /** Views of `buffer` become the current ones: the other buffer's if it is that one, else a cleared map. */
  private switchTo(buffer: ArrayBufferLike): void {
    const views = this.otherViews;
    if (this.otherBuffer !== buffer) views.clear();
    this.otherBuffer = this.buffer;
    this.otherViews = this.views;
    this.buffer = buffer;
    this.views = views;
  }
}

/**
 * Views kept per buffer (≤ ~100 B each with the map's entry): more than the places a link delivers at in one
 * buffer in practice (a bulk transfer through MemoryLink's pool at MTU 1500 uses under 100), so a full map is
 * a sign of places not repeating; it is cleared then, and the views are made again as before.
 */
const MAX_VIEWS = 4096;
