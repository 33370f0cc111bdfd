/**
 * The one strict command-line parser and the value checkers every `synack`
 * command uses. A bad command line becomes a UsageError whose message is one
 * line naming the flag, the value and why ("--loss 2: must be a probability
 * between 0 and 1"); the command prints it after its own name and exits 2.
 *
 * Why not node:util parseArgs alone: its messages are long and, for an
 * option value that starts with "-" (`--msl -5`), talk about "ambiguous"
 * arguments instead of saying that -5 is not a valid MSL. Here a value that
 * looks like a number is taken as the value, and the checker judges it.
 */
import { formatAddress, parseAddress } from '../wire/address.js';

/** A bad command line: the command prints `synack <cmd>: <message>` (one line) and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One-letter alias, e.g. 'o' for -o. Boolean short options group: -tan. */
  short?: string;
}
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type ParsedValues<O extends OptionSpecs> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export interface ParseOptions {
  /** How many positionals are allowed (default: any). */
  maxPositionals?: number;
}

/**
 * Parse `argv` against `options`: `--name value`, `--name=value`, `-x value`,
 * grouped short booleans (`-tan`), `--` ends the options. Unknown options,
 * missing values, values given to booleans, repeated options and too many
 * positionals are UsageErrors.
 */
export function parseCommandArgs<O extends OptionSpecs>(argv: readonly string[], options: O, opts: ParseOptions = {}): { values: ParsedValues<O>; positionals: string[] } {
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) if (spec.short !== undefined) byShort.set(spec.short, name);

  const set = (name: string, shown: string, value: string | boolean): void => {
    if (name in values) throw new UsageError(`${shown}: given twice`);
    values[name] = value;
  };
  const takeValue = (shown: string, i: number): string => {
    const next = argv[i + 1];
    // A following "-5" or "-0.1" is this option's (bad) value, to be judged by its checker; "--x" or "-x" is another option.
    if (next === undefined || (next.startsWith('-') && !/^-\.?\d/.test(next))) throw new UsageError(`${shown}: needs a value`);
    return next;
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = Object.prototype.hasOwnProperty.call(options, name) ? options[name] : undefined;
      if (!spec) throw new UsageError(`--${name}: unknown option`);
      if (spec.type === 'boolean') {
        if (eq >= 0) throw new UsageError(`--${name}: takes no value`);
        set(name, `--${name}`, true);
      } else if (eq >= 0) {
        set(name, `--${name}`, arg.slice(eq + 1));
      } else {
        set(name, `--${name}`, takeValue(`--${name}`, i));
        i++;
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && (!/^-\.?\d/.test(arg) || byShort.has(arg[1]!))) {
      // -o, -tan (grouped booleans), -o FILE, -oFILE
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k]!;
        const name = byShort.get(letter);
        if (name === undefined) throw new UsageError(`-${letter}: unknown option`);
        const spec = options[name]!;
        if (spec.type === 'boolean') {
          values[name] = true; // ss-style repeats (-t -t) are harmless
          continue;
        }
        const rest = arg.slice(k + 1);
        if (rest !== '') set(name, `-${letter}`, rest);
        else {
          set(name, `-${letter}`, takeValue(`-${letter}`, i));
          i++;
        }
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  if (opts.maxPositionals !== undefined && positionals.length > opts.maxPositionals) {
    throw new UsageError(`${JSON.stringify(positionals[opts.maxPositionals])}: unexpected argument`);
  }
  return { values: values as ParsedValues<O>, positionals };
}

/**
 * Run a command's parser; a UsageError becomes one line on stderr and exit
 * code 2, `--help` prints the help on stdout and exits 0.
 */
export function withUsage<T>(command: string, help: string, parse: () => T | 'help'): { ok: true; value: T } | { ok: false; code: number } {
  try {
    const value = parse();
    if (value === 'help') {
      process.stdout.write(help.endsWith('\n') ? help : help + '\n');
      return { ok: false, code: 0 };
    }
    return { ok: true, value };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`synack ${command}: ${e.message}\n`);
    return { ok: false, code: 2 };
  }
}

// ───────────────────────────── value checkers ─────────────────────────────
// Each takes the flag as the user wrote it ("--loss") and the raw text, and
// returns the value or throws a UsageError "FLAG RAW: must be …".

function bad(flag: string, raw: string, why: string): UsageError {
  return new UsageError(`${flag} ${raw === '' ? '""' : raw}: ${why}`);
}

function toNumber(raw: string): number {
  return raw.trim() === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw.trim()) ? NaN : Number(raw);
}

/** A probability, 0..1. */
export function probability(flag: string, raw: string): number {
  const n = toNumber(raw);
  if (!(n >= 0 && n <= 1)) throw bad(flag, raw, 'must be a probability between 0 and 1');
  return n;
}

/** An integer in [min, max]. */
export function integer(flag: string, raw: string, min: number, max: number, what = 'an integer', note = ''): number {
  const n = toNumber(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(flag, raw, `must be ${what} between ${min} and ${max}${note}`);
  return n;
}

/** A number in [min, max] (or (min, max] with `minExclusive`). */
export function numberIn(flag: string, raw: string, min: number, max: number, opts: { minExclusive?: boolean; unit?: string } = {}): number {
  const n = toNumber(raw);
  const unit = opts.unit ? ` ${opts.unit}` : '';
  if (!Number.isFinite(n) || n > max || (opts.minExclusive ? n <= min : n < min)) {
    throw bad(flag, raw, opts.minExclusive ? `must be more than ${min} and at most ${max}${unit}` : `must be between ${min} and ${max}${unit}`);
  }
  return n;
}

/** A TCP port, 1..65535 (0 too with `allowZero`). */
export function port(flag: string, raw: string, opts: { allowZero?: boolean } = {}): number {
  const min = opts.allowZero ? 0 : 1;
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= 65535)) throw bad(flag, raw, `must be a port number between ${min} and 65535`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * A duration, in ms: a bare number is in `unit` ('s' or 'ms'); a suffix
 * (ms, s, min, h) says otherwise: "30", "1.5s", "200ms", "2min".
 */
export function duration(flag: string, raw: string, opts: { unit: 's' | 'ms'; minMs: number; maxMs: number; minExclusive?: boolean }): number {
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+))\s*([a-z]*)\s*$/i.exec(raw);
  const scale = m ? (m[2] === '' ? DURATION_UNITS[opts.unit] : DURATION_UNITS[m[2]!.toLowerCase()]) : undefined;
  const ms = m && scale !== undefined ? Number(m[1]) * scale : NaN;
  const show = (v: number): string => (opts.unit === 's' ? `${v / 1000} s` : `${v} ms`);
  const low = opts.minExclusive ? ms <= opts.minMs : ms < opts.minMs;
  if (!Number.isFinite(ms) || low || ms > opts.maxMs) {
    const range = opts.minExclusive ? `more than ${show(opts.minMs)} and at most ${show(opts.maxMs)}` : `between ${show(opts.minMs)} and ${show(opts.maxMs)}`;
    throw bad(flag, raw, `must be a duration ${range} (a number of ${opts.unit === 's' ? 'seconds' : 'milliseconds'}, or with ms, s, min, h)`);
  }
  return ms;
}

/** An IPv4 or IPv6 address, normalized; returns its bytes too. */
export function ipAddress(flag: string, raw: string): { bytes: Uint8Array; text: string } {
  const bytes = parseAddress(raw);
  if (!bytes) throw bad(flag, raw, 'must be an IPv4 or IPv6 address');
  return { bytes, text: formatAddress(bytes) };
}

/** "10.9.0.2/24", "fd00::2/64": an address with its prefix length (required). */
export function addressPrefix(flag: string, raw: string): { bytes: Uint8Array; text: string; prefix: number } {
  const slash = raw.indexOf('/');
  if (slash < 0) {
    if (parseAddress(raw)) throw bad(flag, raw, `needs a prefix length, e.g. ${raw}/${raw.includes(':') ? 64 : 24}`);
    throw bad(flag, raw, 'must be ADDR/PREFIX, e.g. 10.9.0.2/24');
  }
  const bytes = parseAddress(raw.slice(0, slash));
  if (!bytes) throw bad(flag, raw, 'must be ADDR/PREFIX, e.g. 10.9.0.2/24 (the address is not an IP address)');
  const max = bytes.length * 8 - 1;
  const len = raw.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 1 && prefix <= max)) throw bad(flag, raw, `the prefix length must be between 1 and ${max}`);
  return { bytes, text: formatAddress(bytes), prefix };
}

/** "10.0.0.1:80", "[fd00::1]:80", "localhost:8080": a host (IP address or name) and a port. */
export function hostPort(flag: string, raw: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]\s]+)):([^:]*)$/.exec(raw);
  if (!m) throw bad(flag, raw, 'must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080');
  const host = (m[1] ?? m[2])!;
  if (m[1] !== undefined && !parseAddress(host)) throw bad(flag, raw, `[${host}] is not an IPv6 address`);
  const p = /^\d{1,5}$/.test(m[3]!) ? Number(m[3]) : NaN;
  if (!(p >= 1 && p <= 65535)) throw bad(flag, raw, 'the port must be between 1 and 65535');
  return { host, port: p };
}

/** A bit rate, "500k", "10M", "1G" (powers of 1000, as in networking), in bits/s, at least `min`. */
export function bitRate(flag: string, raw: string, min = 1000): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:bit\/s|bps)?$/.exec(raw.trim());
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[(m?.[2] ?? '').toLowerCase()];
  const n = m && scale !== undefined ? Number(m[1]) * scale : NaN;
  if (!(n >= min)) throw bad(flag, raw, `must be a rate of at least ${formatRate(min)} in bits per second (e.g. 500k, 10M, 1G)`);
  return n;
}

/** 10e6 → "10 Mbit/s", 1500 → "1.5 kbit/s". */
export function formatRate(bps: number): string {
  for (const [scale, unit] of [
    [1e9, 'Gbit/s'],
    [1e6, 'Mbit/s'],
    [1e3, 'kbit/s'],
  ] as const) {
    if (bps >= scale) return `${Math.round((bps / scale) * 1000) / 1000} ${unit}`;
  }
  return `${bps} bit/s`;
}

/** 1048576 → "1 MiB", 1500 → "1500 B" (whole units only). */
export function formatBytes(n: number): string {
  for (const [scale, unit] of [
    [1 << 30, 'GiB'],
    [1 << 20, 'MiB'],
    [1 << 10, 'KiB'],
  ] as const) {
    if (n >= scale && n % scale === 0) return `${n / scale} ${unit}`;
  }
  return `${n} B`;
}
