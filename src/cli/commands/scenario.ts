import { writeFileSync } from 'node:fs';
import { renderLadder } from '../../observe/ladder.js';
import { renderLadderSvg } from '../../observe/ladder-svg.js';
import { renderStateDiagramText } from '../../observe/state-diagram.js';
import { SCENARIOS, findScenario } from '../../sim/catalogue.js';
import { scenarioPcap } from '../../sim/capture.js';
import { recordScenario, type Scenario, type ScenarioParam } from '../../sim/scenario.js';
import type { Command } from '../main.js';

const HELP = `usage: synack scenario <name> [--json] [--svg FILE] [--pcap FILE] [--seed N] [--states] [--width N] [--loss P] [--msl SECONDS]
       synack scenario --list

Replays one TCP behaviour between endpoint A (10.0.0.1) and endpoint B (10.0.0.2)
on an in-memory network in virtual time, and prints it as a ladder diagram with
both ends' states beside the segments. An attacker, when there is one, is X.

  --list          list the scenarios, one line each, with the options each takes
  --json          print the event document instead (format: docs/events.md)
  --svg FILE      also draw the ladder as SVG into FILE
  --pcap FILE     also write the scenario's packets as a pcap capture (tcpdump -r FILE)
  --seed N        seed for every random choice (ISNs, ports, loss); same seed, same output
  --states        also print the RFC 9293 state table, ticking each transition by its cause
  --width N       width of the text diagram (default: terminal width or 100)
  --loss P        packet loss probability 0..1 (only scenarios listed with --loss)
  --msl SECONDS   maximum segment lifetime; TIME_WAIT lasts 2×MSL (default 30; only scenarios listed with --msl)`;

const BOOLEAN_FLAGS = ['list', 'json', 'states', 'help'] as const;
const VALUE_FLAGS = ['svg', 'pcap', 'seed', 'width', 'loss', 'msl'] as const;
type BooleanFlag = (typeof BOOLEAN_FLAGS)[number];
type ValueFlag = (typeof VALUE_FLAGS)[number];

interface Parsed {
  flags: Set<BooleanFlag>;
  values: Partial<Record<ValueFlag, string>>;
  positionals: string[];
}

/** A bad command line: the message names the flag and why (one line). */
class UsageError extends Error {}

/**
 * Split argv into flags, flag values and positionals. A value flag takes the next word whatever it looks like
 * (so `--msl -5` reaches the range check), or `--flag=value`.
 */
function parse(argv: string[]): Parsed {
  const out: Parsed = { flags: new Set(), values: {}, positionals: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      out.flags.add('help');
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(arg.startsWith('--') ? 2 : 1, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if ((BOOLEAN_FLAGS as readonly string[]).includes(name) && arg.startsWith('--')) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name as BooleanFlag);
    } else if ((VALUE_FLAGS as readonly string[]).includes(name) && arg.startsWith('--')) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (out.values[name as ValueFlag] !== undefined) throw new UsageError(`--${name} is given twice`);
      out.values[name as ValueFlag] = value;
    } else {
      throw new UsageError(`unknown option ${eq < 0 ? arg : arg.slice(0, eq)} (see synack scenario --help)`);
    }
  }
  return out;
}

/** A numeric flag's value, or a UsageError naming the flag and the accepted range. */
function numberFlag(name: ValueFlag, raw: string | undefined, valid: (n: number) => boolean, want: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !valid(n)) throw new UsageError(`--${name} ${JSON.stringify(raw)}: must be ${want}`);
  return n;
}

/** Refuse an option the chosen scenario does not use, saying which scenarios take it. */
function checkParam(s: Scenario, param: ScenarioParam, given: boolean): void {
  if (!given || s.params.includes(param)) return;
  const takers = SCENARIOS.filter((x) => x.params.includes(param)).map((x) => x.name);
  throw new UsageError(`--${param}: ${s.name} does not take it (scenarios that do: ${takers.join(', ')})`);
}

function listing(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  const opts = (s: Scenario): string => s.params.map((p) => `--${p}`).join(' ');
  const optWidth = Math.max(...SCENARIOS.map((s) => opts(s).length));
  return SCENARIOS.map((s) => `${s.name.padEnd(width)}  ${opts(s).padEnd(optWidth)}  ${s.summary}`.trimEnd()).join('\n') + '\n';
}

export const command: Command = {
  summary: 'replay a TCP behaviour as a ladder diagram (--list shows them)',
  async run(argv: string[]): Promise<number> {
    try {
      return runScenarioCommand(argv);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`synack scenario: ${e.message}\n`);
      return 2;
    }
  },
};

function runScenarioCommand(argv: string[]): number {
  const { flags, values, positionals } = parse(argv);
  if (flags.has('help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (flags.has('list')) {
    if (positionals.length > 0) throw new UsageError('--list takes no scenario name');
    process.stdout.write(listing());
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give a scenario name (synack scenario --list shows them)' : `give one scenario name, not ${positionals.length}`);
  const name = positionals[0]!;
  const scenario = findScenario(name);
  if (!scenario) throw new UsageError(`unknown scenario "${name}" (synack scenario --list shows them)`);
  for (const f of ['svg', 'pcap'] as const) if (values[f] !== undefined && values[f]!.trim() === '') throw new UsageError(`--${f} needs a file name`);
  const seed = numberFlag('seed', values.seed, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer from 0 to 4294967295') ?? 1;
  const width = numberFlag('width', values.width, (n) => Number.isInteger(n) && n >= 40 && n <= 1000, 'an integer from 40 to 1000') ?? process.stdout.columns ?? 100;
  const loss = numberFlag('loss', values.loss, (n) => n >= 0 && n <= 1, 'a probability from 0 to 1');
  const msl = numberFlag('msl', values.msl, (n) => n > 0 && n <= 3600, 'a number of seconds, more than 0 and at most 3600');
  checkParam(scenario, 'loss', loss !== undefined);
  checkParam(scenario, 'msl', msl !== undefined);

  const { document: doc, packets } = recordScenario(scenario, { seed, loss, msl: msl === undefined ? undefined : msl * 1000 });
  if (values.svg !== undefined) writeFileSync(values.svg, renderLadderSvg(doc));
  if (values.pcap !== undefined) writeFileSync(values.pcap, scenarioPcap(packets));
  if (flags.has('json')) {
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(`${scenario.summary}\n\n`);
  process.stdout.write(renderLadder(doc, { width, color: process.stdout.isTTY === true }) + '\n');
  if (flags.has('states')) process.stdout.write('\n' + renderStateDiagramText(doc) + '\n');
  return 0;
}
