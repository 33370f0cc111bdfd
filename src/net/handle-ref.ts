import type { Clock } from '../util/clock.js';

/**
 * What a libuv handle's ref/unref is to Node, for a synack Socket or Server:
 * while the handle is open (`open()` … `close()`) and referenced (the default;
 * `unref()` / `ref()` toggle it), it holds the stack's clock, which keeps the
 * process alive. Protocol state the stack keeps after the handle is closed
 * (TIME_WAIT, an orphan's FIN or retransmissions) holds nothing, so a program
 * whose sockets and servers are all closed exits, as with node:net.
 */
export class HandleRef {
  private release: (() => void) | undefined;
  private isOpen = false;
  private referenced = true;

  /** `clock`: the stack's (undefined: a socket with no stack holds nothing). */
  constructor(private readonly clock: Clock | undefined) {}

  get hasRef(): boolean {
    return this.referenced;
  }

  open(): void {
    this.isOpen = true;
    this.update();
  }

  close(): void {
    this.isOpen = false;
    this.update();
  }

  ref(): void {
    this.referenced = true;
    this.update();
  }

  unref(): void {
    this.referenced = false;
    this.update();
  }

  private update(): void {
    const want = this.isOpen && this.referenced;
    if (want && this.release === undefined) {
      this.release = this.clock?.hold?.() ?? noop;
    } else if (!want && this.release !== undefined) {
      const release = this.release;
      this.release = undefined;
      release();
    }
  }
}

function noop(): void {}
