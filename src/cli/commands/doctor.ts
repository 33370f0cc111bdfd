import { diagnose, stateCounts } from '../../doctor/diagnose.js';
import { renderDoctor } from '../../doctor/report.js';
import { adminSnapshot, kernelSnapshot, type Snapshot } from '../../doctor/snapshot.js';
import type { Command } from '../main.js';
import { UsageError, duration, hostPort, integer, parseCommandArgs, withUsage } from '../args.js';

const HELP = `usage: synack doctor [--json] [--watch SECONDS [--count N]] [--min N] [--admin HOST:PORT]

Looks at this host's TCP (this network namespace's: /proc/net/tcp and tcp6,
the owning processes from /proc/*/fd, /proc/net/snmp and netstat counters,
the sysctls that matter), counts the sockets per state the way the articles'
netstat | awk one-liner does, and explains what piles up: CLOSE_WAIT (an
application that never calls close()), TIME_WAIT (who closes first, and the
ephemeral-port arithmetic), SYN_RECV (SYN flood or lost ACKs), FIN_WAIT_2,
listen queues not drained, retransmissions.

  --json              print one JSON document (one per line with --watch)
  --watch SECONDS     look again every SECONDS and show what changed (Ctrl-C stops)
  --count N           with --watch: stop after N looks
  --min N             sockets in one state before it counts as a pile
                      (default 10; TIME_WAIT 100)
  --admin HOST:PORT   look at a synack stack instead (synack serve --admin HOST:PORT)

Without root it sees every socket but only your own processes as owners; it
says what it could not see.`;

export const command: Command = {
  summary: 'this host’s TCP states counted and explained (CLOSE_WAIT, TIME_WAIT, SYN_RECV …)',
  async run(argv: string[]): Promise<number> {
    const parsed = withUsage('doctor', HELP, () => {
      const { values } = parseCommandArgs(
        argv,
        { json: { type: 'boolean' }, watch: { type: 'string' }, count: { type: 'string' }, min: { type: 'string' }, admin: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
        { maxPositionals: 0 },
      );
      if (values.help) return 'help';
      if (values.count !== undefined && values.watch === undefined) throw new UsageError('--count: needs --watch SECONDS');
      return {
        json: values.json === true,
        watch: values.watch === undefined ? undefined : duration('--watch', values.watch, { unit: 's', minMs: 0, maxMs: 86_400_000, minExclusive: true }),
        count: values.count === undefined ? undefined : integer('--count', values.count, 1, 1e9),
        min: values.min === undefined ? undefined : integer('--min', values.min, 1, 1e9),
        admin: values.admin === undefined ? undefined : hostPort('--admin', values.admin),
      };
    });
    if (!parsed.ok) return parsed.code;
    const { json, watch, count, min, admin } = parsed.value;
    const look = async (): Promise<Snapshot> => (admin ? adminSnapshot(admin.host, admin.port) : kernelSnapshot());
    const rounds = watch === undefined ? 1 : (count ?? Infinity);
    let prev: Snapshot | undefined;
    let stop = false;
    const onSig = () => {
      stop = true;
    };
    process.once('SIGINT', onSig);
    try {
      for (let i = 0; i < rounds && !stop; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, watch));
        if (stop) break;
        let snap: Snapshot;
        try {
          snap = await look();
        } catch (e) {
          process.stderr.write(`synack doctor: ${(e as Error).message}\n`);
          return 1;
        }
        const counts = stateCounts(snap.sockets);
        const findings = diagnose(snap, prev, { min });
        if (json) {
          const doc = { source: snap.source, time: new Date(snap.time).toISOString(), total: snap.sockets.length, states: Object.fromEntries(counts), findings, sysctls: snap.sysctls, counters: snap.counters, unseen: snap.unseen };
          process.stdout.write(JSON.stringify(doc, null, watch === undefined ? 2 : undefined) + '\n');
        } else {
          if (i > 0) process.stdout.write('\n' + '─'.repeat(40) + '\n');
          process.stdout.write(renderDoctor(snap, counts, findings, prev, process.stdout.columns ?? 100) + '\n');
        }
        prev = snap;
      }
    } finally {
      process.off('SIGINT', onSig);
    }
    return 0;
  },
};
