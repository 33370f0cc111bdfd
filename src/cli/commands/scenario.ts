import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderLadder } from '../../observe/ladder.js';
import { renderLadderSvg } from '../../observe/ladder-svg.js';
import { renderStateDiagramText } from '../../observe/state-diagram.js';
import { SCENARIOS, findScenario } from '../../sim/catalogue.js';
import { runScenario } from '../../sim/scenario.js';
import type { Command } from '../main.js';

const HELP = `usage: synack scenario <name> [--json] [--svg FILE] [--seed N] [--loss P] [--msl SECONDS] [--width N] [--states]
       synack scenario --list

Replays one TCP behaviour between endpoint A (10.0.0.1) and endpoint B (10.0.0.2)
on an in-memory network in virtual time, and prints it as a ladder diagram with
both ends' states beside the segments.

  --list          list the scenarios, one line each
  --json          print the event document (DESIGN.md contract) instead
  --svg FILE      also draw the ladder as SVG into FILE
  --seed N        seed for every random choice (ISNs, ports, loss); same seed, same output
  --loss P        packet loss probability, for scenarios that take it
  --msl SECONDS   maximum segment lifetime (TIME_WAIT lasts 2×MSL; default 30)
  --width N       width of the text diagram (default: terminal width or 100)
  --states        also print the RFC 9293 state table with the transitions taken`;

export const command: Command = {
  summary: 'replay a TCP behaviour as a ladder diagram (--list shows them)',
  async run(argv: string[]): Promise<number> {
    let args;
    try {
      args = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          list: { type: 'boolean' },
          json: { type: 'boolean' },
          svg: { type: 'string' },
          seed: { type: 'string' },
          loss: { type: 'string' },
          msl: { type: 'string' },
          width: { type: 'string' },
          states: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (e) {
      process.stderr.write(`synack scenario: ${(e as Error).message}\n\n${HELP}\n`);
      return 2;
    }
    const { values, positionals } = args;
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    if (values.list) {
      const width = Math.max(...SCENARIOS.map((s) => s.name.length));
      for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(width)}  ${s.summary}\n`);
      return 0;
    }
    const name = positionals[0];
    if (!name || positionals.length > 1) {
      process.stderr.write(`synack scenario: give exactly one scenario name\n\n${HELP}\n`);
      return 2;
    }
    const scenario = findScenario(name);
    if (!scenario) {
      process.stderr.write(`synack scenario: unknown scenario "${name}"; \`synack scenario --list\` shows them\n`);
      return 2;
    }
    const seed = numberArg('seed', values.seed, 1, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff);
    const loss = numberArg('loss', values.loss, undefined, (n) => n >= 0 && n <= 1);
    const mslSeconds = numberArg('msl', values.msl, undefined, (n) => n > 0 && n <= 3600);
    const width = numberArg('width', values.width, process.stdout.columns ?? 100, (n) => Number.isInteger(n) && n >= 40 && n <= 1000);
    if (seed === null || loss === null || mslSeconds === null || width === null) return 2;

    const doc = runScenario(scenario, { seed: seed!, loss, msl: mslSeconds === undefined ? undefined : mslSeconds * 1000 });
    if (values.svg) writeFileSync(values.svg, renderLadderSvg(doc));
    if (values.json) {
      process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
      return 0;
    }
    process.stdout.write(`${scenario.summary}\n(covers ${scenario.covers.join(', ')} of TCP-BEHAVIOR.md)\n\n`);
    process.stdout.write(renderLadder(doc, { width: width!, color: process.stdout.isTTY === true }) + '\n');
    if (values.states) process.stdout.write('\n' + renderStateDiagramText(doc) + '\n');
    return 0;
  },
};

/** Parse a numeric flag: undefined when absent (or `fallback`), null after printing an error. */
function numberArg(name: string, raw: string | undefined, fallback: number | undefined, valid: (n: number) => boolean): number | undefined | null {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !valid(n)) {
    process.stderr.write(`synack scenario: invalid --${name} "${raw}"\n`);
    return null;
  }
  return n;
}
