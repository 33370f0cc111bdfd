/**
 * Flags of the bench scripts, checked by the CLI's one strict parser (src/cli/args.ts): --help or a
 * typo must never start a run of several minutes.
 */
import { parseCommandArgs, UsageError, type OptionSpecs } from '../src/cli/args.js';

/**
 * --help (or -h) prints `usage`; a bad command line prints `name: <why>` and `usage`, exit status 2.
 * Returns true when the script should go on (the flags are good and no help was asked for).
 */
export function benchArgsOk(name: string, argv: readonly string[], options: OptionSpecs, usage: string): boolean {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return false;
  }
  try {
    parseCommandArgs(argv, options, { maxPositionals: 0 });
    return true;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${name}: ${e.message}\n${usage}`);
    process.exitCode = 2;
    return false;
  }
}
