/**
 * Work that sockets defer to the next tick (net/socket.ts: reading what the
 * TCB queued, refilling its send buffer), run for every socket from ONE
 * process.nextTick: a turn of the clock that delivers packets to many
 * connections queues one tick, not one per socket (a tick is an object with
 * an async id; per short connection they were a tenth of the socket's heap).
 */
export interface Deferred {
  /** Run what this item deferred; called once per `defer`. */
  runDeferred(): void;
}

const due: Array<Deferred | undefined> = [];
let queued = false;

/** Run `item.runDeferred()` on the next tick (the caller keeps it from being deferred twice at once). */
export function defer(item: Deferred): void {
  due.push(item);
  if (!queued) {
    queued = true;
    process.nextTick(runDue);
  }
}

function runDue(): void {
  let i = 0;
  try {
    // Items deferred while these run join this round (the loop reads due.length afresh).
    for (; i < due.length; i++) {
      const item = due[i]!;
      due[i] = undefined;
      item.runDeferred();
    }
  } finally {
    // A throw (a user's 'data' listener) propagates as it would from its own tick; the rest still run, next tick.
    const done = i < due.length ? i + 1 : due.length;
    if (done === due.length) due.length = 0;
    else {
      due.copyWithin(0, done);
      due.length -= done;
    }
    if (due.length > 0) process.nextTick(runDue);
    else queued = false;
  }
}
