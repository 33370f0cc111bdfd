/** One captured frame as the capture readers hand it on. */
export interface Frame {
  /** Capture timestamp, ms since the Unix epoch. */
  timeMs: number;
  /** Link type of the interface it was captured on (LINKTYPE_* numbers, tcpdump.org/linktypes). */
  linkType: number;
  /** The captured bytes. A view into the reader's buffer: valid only during the callback. */
  data: Uint8Array;
  /** Length of the frame on the wire (> data.length when the snaplen cut it). */
  origLen: number;
}

export type FrameHandler = (frame: Frame) => void;

/** Thrown on input that is not a capture or is corrupt beyond recovery. */
export class CaptureFormatError extends Error {
  override name = 'CaptureFormatError';
}
