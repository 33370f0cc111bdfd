import { parseArgs } from 'node:util';
import { request } from 'node:http';
import { parseHostPort, type ConnectionJson } from '../../apps/admin.js';
import { renderSsTable } from '../../observe/ss-table.js';
import type { Command } from '../main.js';

const HELP = `usage: synack ss --admin HOST:PORT [-o]

Prints the connections of a running \`synack serve\` the way \`ss -tan\` does
(State, Recv-Q, Send-Q, Local Address:Port, Peer Address:Port). -o adds timers.`;

export const command: Command = {
  summary: 'show a running stack’s connections like `ss -tan` (needs serve --admin)',
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({ args: argv, options: { admin: { type: 'string' }, o: { type: 'boolean', short: 'o' }, help: { type: 'boolean', short: 'h' } } }));
    } catch (e) {
      process.stderr.write(`synack ss: ${(e as Error).message}\n\n${HELP}\n`);
      return 2;
    }
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const target = values.admin ? parseHostPort(values.admin) : null;
    if (!target) {
      process.stderr.write(`synack ss: --admin HOST:PORT is required\n\n${HELP}\n`);
      return 2;
    }
    let rows: ConnectionJson[];
    try {
      rows = JSON.parse(await get(target.host, target.port, '/connections')) as ConnectionJson[];
    } catch (e) {
      process.stderr.write(`synack ss: cannot read ${values.admin}/connections: ${(e as Error).message}\n`);
      return 1;
    }
    process.stdout.write(renderSsTable(rows.map((r) => ({ ...r, timerExpiresIn: r.timerExpiresIn ?? undefined })), { timers: values.o === true }) + '\n');
    return 0;
  },
};

function get(host: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
