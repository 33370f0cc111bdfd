import type { Command } from '../main.js';

export const command: Command = {
  summary: 'replay a TCP behaviour as a ladder diagram (--list shows them)',
  async run(): Promise<number> {
    process.stdout.write('synack scenario: not built yet\n');
    return 0;
  },
};
