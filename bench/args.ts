/**
 * Flags of the bench scripts, checked by the CLI's one strict parser (src/cli/args.ts): --help or a
 * typo must never start a run of several minutes.
 */
import { parseCommandArgs, UsageError, type OptionSpecs, type ParsedValues } from '../src/cli/args.js';

/**
 * --help (or -h) prints `usage`; a bad command line prints `name: <why>` and `usage`, exit status 2.
 * Returns true when the script should go on (the flags are good and no help was asked for).
 */
export function benchArgsOk(name: string, argv: readonly string[], options: OptionSpecs, usage: string): boolean {
  return benchArgs(name, argv, options, usage, () => true) !== undefined;
}

/**
 * benchArgsOk, then `check` turns the parsed values into the script's settings with the CLI's value
 * checkers (src/cli/args.ts `integer` and the like): a UsageError there is a bad command line too.
 * Returns the settings, or undefined when the script should stop (help printed, or exit status 2 set).
 */
export function benchArgs<O extends OptionSpecs, T>(name: string, argv: readonly string[], options: O, usage: string, check: (values: ParsedValues<O>) => T): T | undefined {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return undefined;
  }
  try {
    return check(parseCommandArgs(argv, options, { maxPositionals: 0 }).values);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${name}: ${e.message}\n${usage}`);
    process.exitCode = 2;
    return undefined;
  }
}
