/**
 * The `synack` command. Each subcommand lives in its own module under
 * ./commands and is loaded only when used, so `synack scenario` does not pay
 * for the TUN link or node:http.
 *
 * This module only exports; `bin.ts` is the executable. (It used to run
 * itself when `import.meta.url` matched argv[1], which is false whenever the
 * command is started through a symlink — npx, npm link, a global install,
 * node_modules/.bin — so every such route printed nothing and exited 0.)
 */
export interface Command {
  /** One line for `synack --help`. */
  summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  scenario: () => import('./commands/scenario.js'),
  demo: () => import('./commands/demo.js'),
  ss: () => import('./commands/ss.js'),
  serve: () => import('./commands/serve.js'),
  connect: () => import('./commands/connect.js'),
  fetch: () => import('./commands/fetch.js'),
  nstat: () => import('./commands/nstat.js'),
  netstat: () => import('./commands/nstat.js').then((m) => ({ command: m.netstatCommand })),
  analyze: () => import('./commands/analyze.js'),
  doctor: () => import('./commands/doctor.js'),
};

export function registerCommand(name: string, load: () => Promise<{ command: Command }>): void {
  COMMANDS[name] = load;
}

async function usage(): Promise<string> {
  const lines = ['usage: synack <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    let summary = '';
    try {
      summary = (await load()).command.summary;
    } catch {
      summary = '(unavailable)';
    }
    lines.push(`  ${name.padEnd(10)} ${summary}`);
  }
  lines.push('', 'Run `synack <command> --help` for its options.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await usage()) + '\n');
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`synack: unknown command "${name}" (one of ${Object.keys(COMMANDS).join(', ')}; synack --help says what each does)\n`);
    return 2;
  }
  const { command } = await load();
  return command.run(rest);
}
