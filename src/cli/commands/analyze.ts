import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile, type Analysis } from '../../analyze/analyze.js';
import { CaptureFormatError } from '../../analyze/capture/frame.js';
import { connectionDocument } from '../../analyze/document.js';
import { findFindings } from '../../analyze/findings.js';
import { renderCaptureLine, renderFindings, renderSummaryTable } from '../../analyze/report.js';
import { summarize } from '../../analyze/summary.js';
import { renderLadder } from '../../observe/ladder.js';
import { renderLadderSvg } from '../../observe/ladder-svg.js';
import { renderStateDiagramSvg, renderStateDiagramText } from '../../observe/state-diagram.js';
import type { Command } from '../main.js';
import { UsageError, duration, integer, parseCommandArgs, withUsage } from '../args.js';

const HELP = `usage: synack analyze FILE [--conn ID] [--json] [--svg DIR] [--limit N] [--width N]
                      [--close-wait SECONDS] [--fin-wait-2 SECONDS] [--rfc1337]

Reads a pcap or pcapng capture (tcpdump -w, Wireshark; Ethernet, VLAN, Linux
cooked SLL/SLL2, raw IP, loopback; IPv4 and IPv6) in a stream, follows every
TCP connection and infers both ends' states the way the state diagram
describes them: who closed first, how (four-way, FIN+ACK combined,
simultaneous/CLOSING, reset), where the capture cannot know. Then findings:
CLOSE_WAIT and FIN_WAIT_2 hangs, lost final ACKs, SYN floods, resets, zero
windows, keepalives, retransmissions, port reuse — with what to change.

  --conn ID             the ladder diagram and state diagram of one connection
  --json                { "connections": [ scenario-format document, … ], "summary", "findings" }
  --svg DIR             write conn-ID-ladder.svg and conn-ID-states.svg (all, or --conn's)
  --limit N             rows in the summary table (default 50)
  --width N             width of the text diagrams (default: terminal width or 100)
  --close-wait SECONDS  CLOSE_WAIT this long is a finding (default 5)
  --fin-wait-2 SECONDS  FIN_WAIT_2 this long is a finding (default 5)
  --rfc1337             the hosts ignore RST in TIME_WAIT (net.ipv4.tcp_rfc1337=1; synack does)

The capture point is where the packets were seen: a segment seen is not a
segment received. Transitions no packet shows (TIME_WAIT's end, a connect
timeout) are inferred from Linux's timers and marked so.`;

export const command: Command = {
  summary: 'read a pcap/pcapng capture: both ends’ TCP states, who closed first, findings',
  async run(argv: string[]): Promise<number> {
    const parsed = withUsage('analyze', HELP, () => {
      const { values, positionals } = parseCommandArgs(
        argv,
        {
          conn: { type: 'string' },
          json: { type: 'boolean' },
          svg: { type: 'string' },
          limit: { type: 'string' },
          width: { type: 'string' },
          'close-wait': { type: 'string' },
          'fin-wait-2': { type: 'string' },
          rfc1337: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
        { maxPositionals: 1 },
      );
      if (values.help) return 'help';
      if (positionals.length !== 1) throw new UsageError('FILE: missing (the pcap or pcapng capture to read)');
      return {
        path: positionals[0]!,
        values,
        conn: values.conn === undefined ? 0 : integer('--conn', values.conn, 1, 2 ** 31, 'a connection ID from the summary table'),
        limit: values.limit === undefined ? 50 : integer('--limit', values.limit, 1, 1e9),
        width: values.width === undefined ? (process.stdout.columns ?? 100) : integer('--width', values.width, 40, 1000),
        closeWait: values['close-wait'] === undefined ? 5000 : duration('--close-wait', values['close-wait'], { unit: 's', minMs: 0, maxMs: 86_400_000 }),
        finWait2: values['fin-wait-2'] === undefined ? 5000 : duration('--fin-wait-2', values['fin-wait-2'], { unit: 's', minMs: 0, maxMs: 86_400_000 }),
      };
    });
    if (!parsed.ok) return parsed.code;
    const { path, values, conn, limit, width, closeWait, finWait2 } = parsed.value;
    const progress = process.stderr.isTTY === true;
    let an: Analysis;
    try {
      let shown = -1;
      an = analyzeFile(path, {
        rfc1337: values.rfc1337 === true,
        onProgress: progress
          ? (done, total) => {
              const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
              if (pct === shown) return;
              shown = pct;
              const bar = '#'.repeat(Math.floor(pct / 4)).padEnd(25, '.');
              process.stderr.write(`\r[${bar}] ${pct}% ${(done / 1048576).toFixed(0)} MiB`);
            }
          : undefined,
      });
      if (progress) process.stderr.write('\r\x1b[K');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err instanceof CaptureFormatError || err.code === 'ENOENT' || err.code === 'EISDIR' || err.code === 'EACCES') {
        process.stderr.write(`synack analyze: ${path}: ${err.message}\n`);
        return 1;
      }
      throw e;
    }
    const summaries = an.connections.map((c) => summarize(c, an.start, an.end));
    const findings = findFindings(an, { closeWaitMs: closeWait, finWait2Ms: finWait2 });
    const selected = conn ? an.connections.filter((c) => c.id === conn) : an.connections;
    if (conn && selected.length === 0) {
      process.stderr.write(`synack analyze: --conn ${conn}: no such connection (the capture has ${an.connections.length})\n`);
      return 2;
    }
    if (values.svg) {
      mkdirSync(values.svg, { recursive: true });
      for (const c of selected) {
        const doc = connectionDocument(c);
        writeFileSync(join(values.svg, `conn-${c.id}-ladder.svg`), renderLadderSvg(doc));
        writeFileSync(join(values.svg, `conn-${c.id}-states.svg`), renderStateDiagramSvg(doc));
      }
    }
    if (values.json) {
      const out = {
        connections: selected.map(connectionDocument),
        summary: summaries.filter((s) => !conn || s.id === conn),
        findings: conn ? findings.filter((f) => f.connections.includes(conn)) : findings,
        capture: { file: path, format: an.read.format, ...an.counts, start: an.start, end: an.end },
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return 0;
    }
    if (conn) {
      const s = summaries.find((r) => r.id === conn)!;
      const doc = connectionDocument(selected[0]);
      process.stdout.write(renderSummaryTable([s]) + '\n\n');
      process.stdout.write(renderLadder(doc, { width, color: process.stdout.isTTY === true }) + '\n\n');
      process.stdout.write(renderStateDiagramText(doc) + '\n');
      if (s.uncertain.length) process.stdout.write('\nUncertain:\n' + s.uncertain.map((u) => `  - ${u}`).join('\n') + '\n');
      const mine = findings.filter((f) => f.connections.includes(conn));
      if (mine.length) process.stdout.write('\n' + renderFindings(mine, width) + '\n');
      return 0;
    }
    process.stdout.write(renderCaptureLine(path, an) + '\n\n');
    process.stdout.write(renderSummaryTable(summaries, limit) + '\n\n');
    process.stdout.write(renderFindings(findings, width) + '\n');
    const unsure = summaries.filter((s) => s.uncertain.length > 0).length;
    if (unsure) process.stdout.write(`\n${unsure} connection(s) carry uncertainty notes or inferred transitions: --conn ID shows them.\n`);
    return 0;
  },
};
