import { writeFileSync } from 'node:fs';
import { renderLadder } from '../../observe/ladder.js';
import { renderLadderSvg } from '../../observe/ladder-svg.js';
import { renderStateDiagramText } from '../../observe/state-diagram.js';
import { SCENARIOS, findScenario } from '../../sim/catalogue.js';
import { scenarioPcap } from '../../sim/capture.js';
import { recordScenario, type Scenario, type ScenarioParam } from '../../sim/scenario.js';
import type { Command } from '../main.js';
import { UsageError, duration, integer, parseCommandArgs, probability } from '../args.js';

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
  --msl SECONDS   maximum segment lifetime (or with ms, s, min); TIME_WAIT lasts 2×MSL (default 30; only scenarios listed with --msl)`;

const OPTIONS = {
  list: { type: 'boolean' },
  json: { type: 'boolean' },
  states: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  svg: { type: 'string' },
  pcap: { type: 'string' },
  seed: { type: 'string' },
  width: { type: 'string' },
  loss: { type: 'string' },
  msl: { type: 'string' },
} as const;

/** Refuse an option the chosen scenario does not use, saying which scenarios take it. */
function checkParam(s: Scenario, param: ScenarioParam, given: boolean): void {
  if (!given || s.params.includes(param)) return;
  const takers = SCENARIOS.filter((x) => x.params.includes(param)).map((x) => x.name);
  throw new UsageError(`--${param}: ${s.name} does not take it (scenarios that do: ${takers.join(', ')})`);
}

/** Write an output file; a path that cannot be written is the flag's fault, said in one line. */
function writeOutput(flag: string, path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`${flag} ${path}: cannot write it (${err.code ?? 'error'}: ${err.message.replace(/^[A-Z]+: /, '').split(',')[0]})`);
  }
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
  const { values, positionals } = parseCommandArgs(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (values.list) {
    if (positionals.length > 0) throw new UsageError('--list takes no scenario name');
    process.stdout.write(listing());
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give a scenario name (synack scenario --list shows them)' : `give one scenario name, not ${positionals.length}`);
  const name = positionals[0]!;
  const scenario = findScenario(name);
  if (!scenario) throw new UsageError(`unknown scenario "${name}" (synack scenario --list shows them)`);
  for (const f of ['svg', 'pcap'] as const) if (values[f] !== undefined && values[f]!.trim() === '') throw new UsageError(`--${f}: needs a file name`);
  const seed = values.seed === undefined ? 1 : integer('--seed', values.seed, 0, 0xffffffff);
  const width = values.width === undefined ? (process.stdout.columns ?? 100) : integer('--width', values.width, 40, 1000);
  const loss = values.loss === undefined ? undefined : probability('--loss', values.loss);
  const msl = values.msl === undefined ? undefined : duration('--msl', values.msl, { unit: 's', minMs: 0, maxMs: 3_600_000, minExclusive: true });
  checkParam(scenario, 'loss', loss !== undefined);
  checkParam(scenario, 'msl', msl !== undefined);

  const { document: doc, packets } = recordScenario(scenario, { seed, loss, msl });
  if (values.svg !== undefined) writeOutput('--svg', values.svg, renderLadderSvg(doc));
  if (values.pcap !== undefined) writeOutput('--pcap', values.pcap, scenarioPcap(packets));
  if (values.json) {
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(`${scenario.summary}\n\n`);
  process.stdout.write(renderLadder(doc, { width, color: process.stdout.isTTY === true }) + '\n');
  if (values.states) process.stdout.write('\n' + renderStateDiagramText(doc) + '\n');
  return 0;
}
