/**
 * `synack nstat` and `synack netstat -s`: a running synack stack's MIB
 * counters (read from its admin endpoint) under the names and in the layout
 * of Linux's `nstat -a` and `netstat -s`.
 */
import type { Command } from '../main.js';
import { renderNetstatS, renderNstat } from '../../observe/counters.js';
import { getAdminJson } from '../admin-client.js';
import { UsageError, hostPort, parseCommandArgs, withUsage } from '../args.js';

const NSTAT_HELP = `usage: synack nstat --admin HOST:PORT [-a] [-z] [PATTERN…]

Prints the counters of a running synack stack (serve, connect or fetch started
with --admin HOST:PORT) as \`nstat -a\` prints the kernel's: TcpActiveOpens,
TcpExtListenDrops, TcpExtTCPTimeouts, … Counters at zero are left out unless -z.
PATTERNs (e.g. 'TcpExt*Abort*') keep only the counters they name. Values are
absolute (synack keeps no history file), so -a is accepted and changes nothing.

  --admin HOST:PORT   the stack's admin endpoint (required)
  -a, --ignore        absolute values (always)
  -z, --zeros         print the counters that are zero too`;

const NETSTAT_HELP = `usage: synack netstat -s --admin HOST:PORT

Prints the counters of a running synack stack as \`netstat -s\` prints the
kernel's TCP part: every Tcp counter with net-tools' wording, then the
TcpExt counters that are not zero.

  --admin HOST:PORT   the stack's admin endpoint (required)
  -s, --statistics    (required: the only mode synack's netstat has)`;

async function fetchStats(cmd: string, admin: { host: string; port: number }): Promise<Record<string, number> | undefined> {
  try {
    return await getAdminJson<Record<string, number>>(admin, '/stats');
  } catch (e) {
    process.stderr.write(`synack ${cmd}: cannot read the counters from ${admin.host}:${admin.port}: ${(e as Error).message}\n`);
    return undefined;
  }
}

export const command: Command = {
  summary: 'a running stack’s counters as `nstat -a` names them (TcpExtListenDrops…; needs --admin)',
  async run(argv) {
    const parsed = withUsage('nstat', NSTAT_HELP, () => {
      const { values, positionals } = parseCommandArgs(argv, { admin: { type: 'string' }, ignore: { type: 'boolean', short: 'a' }, zeros: { type: 'boolean', short: 'z' }, help: { type: 'boolean', short: 'h' } });
      if (values.help) return 'help';
      if (values.admin === undefined) throw new UsageError('--admin HOST:PORT is required (the admin endpoint of serve, connect or fetch)');
      for (const p of positionals) if (!/^[A-Za-z0-9*]+$/.test(p)) throw new UsageError(`${p}: not a counter name pattern (letters, digits and *)`);
      return { admin: hostPort('--admin', values.admin), zeros: values.zeros === true, only: positionals };
    });
    if (!parsed.ok) return parsed.code;
    const stats = await fetchStats('nstat', parsed.value.admin);
    if (!stats) return 1;
    process.stdout.write(renderNstat(stats, { zeros: parsed.value.zeros, only: parsed.value.only }) + '\n');
    return 0;
  },
};

export const netstatCommand: Command = {
  summary: 'a running stack’s counters as `netstat -s` words them (needs --admin)',
  async run(argv) {
    const parsed = withUsage('netstat', NETSTAT_HELP, () => {
      const { values } = parseCommandArgs(argv, { admin: { type: 'string' }, statistics: { type: 'boolean', short: 's' }, help: { type: 'boolean', short: 'h' } }, { maxPositionals: 0 });
      if (values.help) return 'help';
      if (!values.statistics) throw new UsageError('-s: required (synack netstat only prints statistics)');
      if (values.admin === undefined) throw new UsageError('--admin HOST:PORT is required (the admin endpoint of serve, connect or fetch)');
      return hostPort('--admin', values.admin);
    });
    if (!parsed.ok) return parsed.code;
    const stats = await fetchStats('netstat', parsed.value);
    if (!stats) return 1;
    process.stdout.write(renderNetstatS(stats) + '\n');
    return 0;
  },
};
