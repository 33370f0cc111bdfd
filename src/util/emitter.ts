/**
 * A tiny typed event emitter with no Node dependency, for the layers below
 * `net/` (which uses node:events/stream). A throwing listener does not stop
 * the others; its error is rethrown asynchronously so it is not lost.
 */
type Listener = (...a: unknown[]) => void;

/** The arguments of an event that has none (shared: emitBare allocates nothing). */
const NO_ARGS: readonly unknown[] = Object.freeze([]);

/** Call one listener; a throw is rethrown asynchronously, so it neither stops the others nor gets lost. */
function callListener(fn: Listener, args: readonly unknown[]): void {
  try {
    fn.apply(undefined, args as unknown[]);
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}

export class Emitter<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
  // Created on first use: many emitters (one per connection) never get a listener for most events.
  private handlers: Map<keyof Events, Array<Events[keyof Events]>> | undefined;

  on<K extends keyof Events>(name: K, fn: Events[K]): this {
    this.handlers ??= new Map();
    const list = this.handlers.get(name);
    if (list) list.push(fn);
    else this.handlers.set(name, [fn]);
    return this;
  }

  off<K extends keyof Events>(name: K, fn: Events[K]): this {
    const list = this.handlers?.get(name);
    if (list) {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  listenerCount<K extends keyof Events>(name: K): number {
    return this.handlers?.get(name)?.length ?? 0;
  }

  /** emit for an event without arguments: no argument array per event (a socket's readable and writable, per packet). */
  protected emitBare<K extends keyof Events>(name: K): void {
    this.emitWith(name, NO_ARGS);
  }

  protected emit<K extends keyof Events>(name: K, ...args: Parameters<Events[K]>): void {
    this.emitWith(name, args);
  }

  private emitWith(name: keyof Events, args: readonly unknown[]): void {
    const list = this.handlers?.get(name);
    if (!list || list.length === 0) return;
    if (list.length === 1) {
      // The common case (one listener): no snapshot copy of the list per event.
      callListener(list[0] as Listener, args);
      return;
    }
    for (const fn of [...list]) callListener(fn as Listener, args);
  }
}
