/**
 * The filter language of iproute2's `ss`, the part that applies to TCP:
 *
 *   [state STATE | exclude STATE]… [EXPRESSION]
 *
 * STATE: established, syn-sent, syn-recv, fin-wait-1, fin-wait-2,
 * time-wait, closed, close-wait, last-ack, listening, closing, or the groups
 * all, connected, synchronized, bucket, big (ss(8)); RFC 9293 names
 * (TIME_WAIT) are accepted too.
 * EXPRESSION: `sport OP :PORT`, `dport OP :PORT` (OP: = == eq != ne < lt >
 * gt <= le >= ge; `sport :80` means =), `src ADDR[/PREFIX][:PORT]`,
 * `dst …`, joined by and (&&, or nothing), or (||), not (!) and parentheses —
 * given as separate words or as one quoted string, as with ss.
 */
import type { TcpState } from '../tcp/state.js';
import { parseAddress } from '../wire/address.js';
import { UsageError } from './args.js';

const ALL: readonly TcpState[] = ['ESTABLISHED', 'SYN_SENT', 'SYN_RCVD', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSED', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING'];
const without = (...out: TcpState[]): TcpState[] => ALL.filter((s) => !out.includes(s));

/** ss's state words (ss.c sstate_namel and scan_state). */
const STATE_WORDS: Record<string, readonly TcpState[]> = {
  established: ['ESTABLISHED'],
  'syn-sent': ['SYN_SENT'],
  'syn-recv': ['SYN_RCVD'],
  'fin-wait-1': ['FIN_WAIT_1'],
  'fin-wait-2': ['FIN_WAIT_2'],
  'time-wait': ['TIME_WAIT'],
  closed: ['CLOSED'],
  unconnected: ['CLOSED'],
  'close-wait': ['CLOSE_WAIT'],
  'last-ack': ['LAST_ACK'],
  listening: ['LISTEN'],
  listen: ['LISTEN'],
  closing: ['CLOSING'],
  all: ALL,
  connected: without('CLOSED', 'LISTEN'),
  synchronized: without('CLOSED', 'LISTEN', 'SYN_SENT'),
  bucket: ['SYN_RCVD', 'TIME_WAIT'],
  big: without('SYN_RCVD', 'TIME_WAIT'),
};

/** What `ss` shows with neither -a, -l nor a state filter: connections, not listeners, TIME-WAIT or SYN-RECV (ss.c SS_CONN). */
export const DEFAULT_STATES: readonly TcpState[] = without('CLOSED', 'LISTEN', 'TIME_WAIT', 'SYN_RCVD');

export function stateWord(word: string): readonly TcpState[] {
  const states = STATE_WORDS[word.toLowerCase()] ?? (ALL.includes(word.toUpperCase() as TcpState) ? [word.toUpperCase() as TcpState] : undefined);
  if (!states) throw new UsageError(`state ${word}: unknown state (one of ${Object.keys(STATE_WORDS).join(', ')})`);
  return states;
}

/** A socket as the filter sees it. */
export interface FilterRow {
  state: string;
  local: string;
  remote: string;
}

export type Predicate = (row: FilterRow) => boolean;

export interface SsFilter {
  /** The states asked for by `state`/`exclude`, or undefined when none was named. */
  states: Set<TcpState> | undefined;
  /** The expression (always true when none was given). */
  match: Predicate;
}

/** Split "( dport = :80 )" and friends into words, as ss's lexer does. */
function words(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) for (const w of a.replace(/([()])/g, ' $1 ').split(/\s+/)) if (w !== '') out.push(w);
  return out;
}

/**
 * Parse the filter words. `baseStates` are the states shown before any
 * `state`/`exclude` (from -a, -l or the default); `service` maps a port
 * name ("http") to its number.
 */
export function parseSsFilter(args: readonly string[], baseStates: readonly TcpState[], service: (name: string) => number | undefined = () => undefined): { states: Set<TcpState>; match: Predicate } {
  const w = words(args);
  let i = 0;
  let states: Set<TcpState> | undefined;
  while (i < w.length && (w[i] === 'state' || w[i] === 'exclude' || w[i] === 'excl')) {
    const kw = w[i]!;
    const name = w[i + 1];
    if (name === undefined) throw new UsageError(`${kw}: needs a state name`);
    const named = stateWord(name);
    if (kw === 'state') {
      states ??= new Set();
      for (const s of named) states.add(s);
    } else {
      states ??= new Set(baseStates);
      for (const s of named) states.delete(s);
    }
    i += 2;
  }
  const rest = w.slice(i);
  if (rest.length === 0) return { states: states ?? new Set(baseStates), match: () => true };
  const p = new ExprParser(rest, service);
  const match = p.parseOr();
  if (!p.done()) throw new UsageError(`${p.peek()}: unexpected word in the filter`);
  return { states: states ?? new Set(baseStates), match };
}

const OPS: Record<string, '=' | '!=' | '<' | '>' | '<=' | '>='> = {
  '=': '=',
  '==': '=',
  eq: '=',
  '!=': '!=',
  ne: '!=',
  neq: '!=',
  '<': '<',
  lt: '<',
  '>': '>',
  gt: '>',
  '<=': '<=',
  le: '<=',
  '>=': '>=',
  ge: '>=',
};

class ExprParser {
  private i = 0;

  constructor(
    private readonly w: string[],
    private readonly service: (name: string) => number | undefined,
  ) {}

  done(): boolean {
    return this.i >= this.w.length;
  }

  peek(): string | undefined {
    return this.w[this.i];
  }

  private next(what: string): string {
    const t = this.w[this.i++];
    if (t === undefined) throw new UsageError(`the filter ends where ${what} was expected`);
    return t;
  }

  parseOr(): Predicate {
    let left = this.parseAnd();
    while (this.peek() === 'or' || this.peek() === '||' || this.peek() === '|') {
      this.i++;
      const l = left;
      const r = this.parseAnd();
      left = (row) => l(row) || r(row);
    }
    return left;
  }

  private parseAnd(): Predicate {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t === undefined || t === ')' || t === 'or' || t === '||' || t === '|') return left;
      if (t === 'and' || t === '&&' || t === '&') this.i++;
      const l = left;
      const r = this.parseUnary();
      left = (row) => l(row) && r(row);
    }
  }

  private parseUnary(): Predicate {
    const t = this.next('a condition');
    if (t === 'not' || t === '!') {
      const inner = this.parseUnary();
      return (row) => !inner(row);
    }
    if (t === '(') {
      const inner = this.parseOr();
      if (this.next('")"') !== ')') throw new UsageError('the filter misses a ")"');
      return inner;
    }
    if (t === 'sport' || t === 'dport') return this.portCondition(t);
    if (t === 'src' || t === 'dst') return this.addressCondition(t);
    throw new UsageError(`${t}: unknown filter word (sport, dport, src, dst, and, or, not, parentheses)`);
  }

  private portCondition(which: 'sport' | 'dport'): Predicate {
    let t = this.next(`a port after ${which}`);
    let op: (typeof OPS)[string] = '=';
    if (t in OPS) {
      op = OPS[t]!;
      t = this.next(`a port after ${which} ${op}`);
    }
    const m = /^(?:\*)?:?([A-Za-z0-9_-]+)$/.exec(t);
    const port = m ? (/^\d+$/.test(m[1]!) ? Number(m[1]) : this.service(m[1]!)) : undefined;
    if (port === undefined || !(port >= 0 && port <= 65535)) throw new UsageError(`${which} ${t}: must be a port, e.g. ${which} = :80`);
    const side = which === 'sport' ? 'local' : 'remote';
    return (row) => {
      const p = portOf(row[side]);
      if (p === undefined) return op === '!=';
      switch (op) {
        case '=':
          return p === port;
        case '!=':
          return p !== port;
        case '<':
          return p < port;
        case '>':
          return p > port;
        case '<=':
          return p <= port;
        case '>=':
          return p >= port;
      }
    };
  }

  private addressCondition(which: 'src' | 'dst'): Predicate {
    let t = this.next(`an address after ${which}`);
    let negate = false;
    if (t in OPS) {
      const op = OPS[t]!;
      if (op !== '=' && op !== '!=') throw new UsageError(`${which} ${t}: only = and != compare addresses`);
      negate = op === '!=';
      t = this.next(`an address after ${which}`);
    }
    const cond = parseHostCond(which, t, this.service);
    const side = which === 'src' ? 'local' : 'remote';
    return (row) => cond(row[side]) !== negate;
  }
}

/** The port of "10.0.0.1:80" / "[fd00::1]:80"; a listener's "*" is port 0, as the kernel reports it to ss. */
function portOf(hostPort: string): number | undefined {
  const p = hostPort.slice(hostPort.lastIndexOf(':') + 1);
  return p === '*' ? 0 : /^\d+$/.test(p) ? Number(p) : undefined;
}

/** ADDR[/PREFIX][:PORT], [V6ADDR][/PREFIX][:PORT], *:PORT, :PORT. */
function parseHostCond(which: string, text: string, service: (name: string) => number | undefined): (hostPort: string) => boolean {
  let m: RegExpExecArray | null;
  if (text.startsWith('[')) m = /^\[([^\]]+)\](?:\/(\d{1,3}))?(?::([A-Za-z0-9_*-]+))?$/.exec(text);
  else if ((text.match(/:/g) ?? []).length > 1) m = /^([0-9A-Fa-f:.]+)(?:\/(\d{1,3}))?()$/.exec(text);
  else m = /^([0-9.]*|\*)(?:\/(\d{1,3}))?(?::([A-Za-z0-9_*-]+))?$/.exec(text);
  if (!m) throw new UsageError(`${which} ${text}: must be ADDR[/PREFIX][:PORT]`);
  const addrText = m[1] ?? '';
  const addr = addrText === '' || addrText === '*' ? undefined : parseAddress(addrText);
  if (addr === null) throw new UsageError(`${which} ${text}: ${addrText} is not an IP address`);
  const prefix = m[2] !== undefined ? Number(m[2]) : addr ? addr.length * 8 : 0;
  if (addr && prefix > addr.length * 8) throw new UsageError(`${which} ${text}: the prefix is longer than the address`);
  const portText = m[3] === '' ? undefined : m[3];
  const port = portText === undefined || portText === '*' ? undefined : /^\d+$/.test(portText) ? Number(portText) : service(portText);
  if (portText !== undefined && portText !== '*' && port === undefined) throw new UsageError(`${which} ${text}: unknown port ${portText}`);
  return (hostPort) => {
    if (port !== undefined && portOf(hostPort) !== port) return false;
    if (!addr) return true;
    const i = hostPort.lastIndexOf(':');
    const a = parseAddress(hostPort.slice(0, i).replace(/^\[|\]$/g, ''));
    if (!a || a.length !== addr.length) return false;
    for (let bit = 0; bit < prefix; bit++) {
      const mask = 0x80 >> (bit & 7);
      if ((a[bit >> 3]! & mask) !== (addr[bit >> 3]! & mask)) return false;
    }
    return true;
  };
}
