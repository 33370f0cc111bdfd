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

/** Items deferred, [0, count); the array keeps its length between rounds (emptying it would free its store, reallocated by the next push). */
const due: Array<Deferred | undefined> = [];
let count = 0;
let queued = false;

/** Run `item.runDeferred()` on the next tick (the caller keeps it from being deferred twice at once). */
export function defer(item: Deferred): void {
  if (count < due.length) due[count] = item;
  else due.push(item);
  count++;
  if (!queued) {
    queued = true;
    process.nextTick(runDue);
  }
}

function runDue(): void {
  let i = 0;
  try {
    // Items deferred while these run join this round (the loop reads count afresh).
    for (; i < count; i++) {
      const item = due[i]!;
      due[i] = undefined;
      item.runDeferred();
    }
  } finally {
    // A throw (a user's 'data' listener) propagates as it would from its own tick; the rest still run, next tick.
    const done = i < count ? i + 1 : count;
    due.copyWithin(0, done, count);
    due.fill(undefined, count - done, count);
    count -= done;
    if (count > 0) process.nextTick(runDue);
    else queued = false;
    if (due.length > 1024 && count < 256) due.length = 1024; // a burst of many sockets leaves no large array behind
  }
}
