import type { Command } from '../main.js';

export const command: Command = {
  summary: 'run the demo on an in-memory network (no root needed)',
  async run(): Promise<number> {
    process.stdout.write('synack demo: not built yet\n');
    return 0;
  },
};
