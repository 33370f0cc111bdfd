import type { Command } from '../main.js';

export const command: Command = {
  summary: 'the live host’s TCP sockets, counted and explained (CLOSE_WAIT, TIME_WAIT, SYN_RECV …)',
  async run(): Promise<number> {
    process.stderr.write('synack doctor: not built yet\n');
    return 1;
  },
};
