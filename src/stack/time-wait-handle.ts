import { timeWaitInfo, type ConnectionInfo } from '../tcp/info.js';
import type { TcpState } from '../tcp/state.js';
import { TimeWaitSocketCalls } from '../tcp/time-wait.js';
import type { ConnectionDriver } from './socket.js';
import type { TimeWaitTable } from './time-wait-table.js';

/** What a handle asks of the stack that owns the table. */
export interface TimeWaitOwner {
  now(): number;
  /** End the row's TIME_WAIT now (TIME_WAIT → CLOSED), as an abort does. */
  endTimeWait(row: number): void;
  /** Nobody listens to the row's socket any more: stop keeping it for the row's end. */
  releaseTimeWaitSocket(row: number): void;
}

/**
 * What an application's socket handle points at once its connection is a
 * row of the stack's TIME_WAIT table: it reads the row while the row is
 * still this connection's (same id), and says CLOSED afterwards. It sends
 * and reads nothing; abort ends TIME_WAIT, as on the compact record.
 * One small object per handle the application still holds; the table keeps
 * no reference to it.
 */
export class TimeWaitHandle extends TimeWaitSocketCalls implements ConnectionDriver {
  constructor(
    private readonly table: TimeWaitTable,
    private readonly owner: TimeWaitOwner,
    private readonly row: number,
    private readonly id: number,
  ) {
    super();
  }

  private get live(): boolean {
    return this.table.id(this.row) === this.id;
  }

  get state(): TcpState {
    return this.live ? 'TIME_WAIT' : 'CLOSED';
  }

  info(): ConnectionInfo {
    const live = this.live;
    const i = timeWaitInfo(live ? this.table.expiresAt(this.row) : undefined);
    i.state = live ? 'TIME_WAIT' : 'CLOSED';
    return i;
  }

  abort(): void {
    if (this.live) this.owner.endTimeWait(this.row);
  }

  /** The socket's last 'state'/'close' listener is gone: the stack need not keep it until the row ends. */
  unheld(): void {
    if (this.live) this.owner.releaseTimeWaitSocket(this.row);
  }

  // ConnectionDriver: the socket's calls need no flush afterwards (ending TIME_WAIT delivers its own events).
  now(): number {
    return this.owner.now();
  }
  after(): void {}
}
