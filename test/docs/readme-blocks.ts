/**
 * The code blocks of a Markdown file and the `docs-test` marker above each,
 * for the docs test (readme.test.ts). Pure: text in, blocks or errors out.
 *
 * Every ```sh and ```ts block runs unless its marker says `skip "why"`;
 * a block with no marker runs with the defaults (exit status 0, in a project
 * that installed the packed tarball). A marker is an HTML comment on the
 * line(s) just above the fence (blank lines between are allowed):
 *
 *   <!-- docs-test: stdout "ESTABLISHED" "TIME_WAIT"; exit 0 -->
 *
 * Directives, separated by `;`, strings in JSON quotes:
 *   stdout "s"…        each string appears in the block's stdout
 *   stderr "s"…        each string appears in its stderr
 *   exit N             the exit status (default 0)
 *   timeout S          seconds the block may take (default 300: CI machines are slow)
 *   clone              run in a fresh copy of the checkout's tracked files
 *                      (a fresh clone) instead of the installed project
 *   root               needs root and /dev/net/tun: skips without them
 *   netns "NAME"       root only: `ip netns … NAME` gets a random name the
 *                      test owns (and deletes, killing what runs there);
 *                      without root and /dev/net/tun the block skips
 *   suite              the block is `npm test` itself, which runs this docs test: it is
 *                      checked, not run (package.json's test script runs the
 *                      built tests with node --test, and .ci/run runs npm test)
 *   skip "why"         not run; the reason is required
 *   skip-line "CMD" "why"  the command line CMD (without its comment) is not
 *                      run; the reason is required
 *   js                 (ts blocks) the block is plain JavaScript too: after
 *                      type-checking it runs unchanged as an .mjs file
 *   output             (on a plain ``` block) the exact stdout of the
 *                      previous block that ran
 */

export type Lang = 'sh' | 'ts' | 'text';

export interface Expect {
  stdout: string[];
  stderr: string[];
  exit: number;
  timeoutS: number;
  clone: boolean;
  root: boolean;
  netns: string | undefined;
  skip: string | undefined;
  suite: boolean;
  skipLines: Array<{ command: string; why: string }>;
  output: boolean;
  js: boolean;
}

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  lang: Lang;
  /** The fence's info string as written (sh, bash, ts…). */
  info: string;
  code: string;
  expect: Expect;
  /** True when a marker was written above the block. */
  marked: boolean;
}

const SH = new Set(['sh', 'bash', 'shell']);
const TS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'mts']);
const TEXT = new Set(['', 'text', 'txt', 'json', 'svg', 'xml', 'diff']);

const MARKER = /^<!--\s*docs-test:(.*?)-->\s*$/;

function defaults(): Expect {
  return { stdout: [], stderr: [], exit: 0, timeoutS: 300, clone: false, root: false, netns: undefined, skip: undefined, suite: false, skipLines: [], output: false, js: false };
}

/** `a "b;c" 4; d` → [['a', 'b;c', '4'], ['d']]: directives split at `;` outside quotes, quoted tokens JSON-decoded. */
function directives(s: string): string[][] {
  const out: string[][] = [[]];
  for (const m of s.matchAll(/"(?:[^"\\]|\\.)*"|;|[^\s";]+|"/g)) {
    const t = m[0];
    if (t === ';') out.push([]);
    else if (t === '"') throw new Error('docs-test: unterminated "string"');
    else out[out.length - 1]!.push(t.startsWith('"') ? (JSON.parse(t) as string) : t);
  }
  return out.filter((d) => d.length > 0);
}

/** Parse a marker's directives; throws with the reason on anything it does not know. */
export function parseMarker(text: string): Expect {
  const e = defaults();
  for (const [word, ...args] of directives(text)) {
    const one = (): string => {
      if (args.length !== 1 || args[0] === '') throw new Error(`docs-test: ${word} takes one non-empty argument, got ${JSON.stringify(args)}`);
      return args[0]!;
    };
    const none = (): void => {
      if (args.length !== 0) throw new Error(`docs-test: ${word} takes no argument, got ${JSON.stringify(args)}`);
    };
    switch (word) {
      case 'stdout':
      case 'stderr':
        if (args.length === 0) throw new Error(`docs-test: ${word} needs at least one "string"`);
        e[word].push(...args);
        break;
      case 'exit':
      case 'timeout': {
        const n = Number(one());
        if (!Number.isInteger(n) || n < 0 || n > 255 * (word === 'timeout' ? 10 : 1)) throw new Error(`docs-test: ${word} expects a small integer, got ${args[0]}`);
        if (word === 'exit') e.exit = n;
        else e.timeoutS = n;
        break;
      }
      case 'clone':
        none();
        e.clone = true;
        break;
      case 'root':
        none();
        e.root = true;
        break;
      case 'netns': {
        const name = one();
        e.root = true;
        if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`docs-test: netns name ${name} is not a plain word`);
        e.netns = name;
        break;
      }
      case 'skip':
        e.skip = one();
        break;
      case 'suite':
        none();
        e.suite = true;
        break;
      case 'skip-line':
        if (args.length !== 2 || args.some((a) => a.trim() === '')) throw new Error('docs-test: skip-line takes "COMMAND" "why"');
        e.skipLines.push({ command: args[0]!.trim(), why: args[1]! });
        break;
      case 'output':
        none();
        e.output = true;
        break;
      case 'js':
        none();
        e.js = true;
        break;
      default:
        throw new Error(`docs-test: unknown directive "${word}"`);
    }
  }
  return e;
}

export interface Parsed {
  blocks: Block[];
  /** Problems that fail the docs test: unknown fence languages, bad or stray markers, unclosed fences. */
  errors: string[];
}

/** Every fenced block of `markdown`, with its marker. */
export function readmeBlocks(markdown: string): Parsed {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  const errors: string[] = [];
  let pending: { expect: Expect; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const marker = MARKER.exec(line.trim());
    if (marker) {
      if (pending) errors.push(`line ${pending.line}: docs-test marker with no code block after it`);
      try {
        pending = { expect: parseMarker(marker[1]!), line: i + 1 };
      } catch (e) {
        errors.push(`line ${i + 1}: ${(e as Error).message}`);
        pending = { expect: defaults(), line: i + 1 };
      }
      continue;
    }
    if (line.includes('docs-test')) errors.push(`line ${i + 1}: "docs-test" outside a marker of the form <!-- docs-test: … -->`);
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
    if (!fence) {
      if (pending && line.trim() !== '') {
        errors.push(`line ${pending.line}: docs-test marker not followed by a code block`);
        pending = undefined;
      }
      continue;
    }
    const info = fence[3]!.toLowerCase();
    const close = new RegExp(`^\\s*${fence[2]![0] === '`' ? '`' : '~'}{${fence[2]!.length},}\\s*$`);
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j]!)) j++;
    if (j >= lines.length) {
      errors.push(`line ${i + 1}: code fence never closed`);
      break;
    }
    const code = lines.slice(i + 1, j).join('\n');
    const lang: Lang | undefined = SH.has(info) ? 'sh' : TS.has(info) ? 'ts' : TEXT.has(info) ? 'text' : undefined;
    if (lang === undefined) {
      errors.push(`line ${i + 1}: code block in "${info}", which the docs test cannot run (use sh or ts, or a plain block)`);
    } else {
      const expect = pending?.expect ?? defaults();
      if (lang === 'text' && pending && !expect.output) errors.push(`line ${i + 1}: a plain block's marker can only say "output"`);
      if (lang !== 'text' && expect.output) errors.push(`line ${i + 1}: "output" belongs on a plain block after the block that prints it`);
      if (lang === 'ts' && (expect.netns !== undefined || expect.skipLines.length > 0)) errors.push(`line ${i + 1}: netns and skip-line are for sh blocks`);
      if (lang !== 'ts' && expect.js) errors.push(`line ${i + 1}: js is for ts blocks`);
      for (const s of expect.skipLines) {
        if (!commands(code).includes(s.command)) errors.push(`line ${i + 1}: skip-line "${s.command}" matches no command of the block`);
      }
      blocks.push({ line: i + 1, lang, info, code, expect, marked: pending !== undefined });
    }
    pending = undefined;
    i = j;
  }
  if (pending) errors.push(`line ${pending.line}: docs-test marker with no code block after it`);
  return { blocks, errors };
}

/** The command lines of a shell block: `\` continuations joined, comments and blank lines dropped, trailing `# comment` removed. */
export function commands(code: string): string[] {
  return joinContinuations(code)
    .split('\n')
    .map((l) => stripComment(l).trim())
    .filter((l) => l !== '');
}

/** A shell block with each `\` line continuation joined into one line. */
export function joinContinuations(code: string): string {
  return code.replace(/[ \t]*\\\n\s*/g, ' ');
}

/** A line without its trailing `# comment` (a `#` outside quotes, at the start or after a space). */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** bash lines for one shell block: skip-lines neutralised, background commands awaited, the namespace renamed. */
export function shellScript(b: Block, netns: string | undefined): string {
  const skip = new Set(b.expect.skipLines.map((s) => s.command));
  const out = [
    'set -eo pipefail',
    // Size of our stdout (a file): a background job has printed something once it grows.
    '__docs_size() { stat -L -c %s /proc/$$/fd/1; }',
    '__docs_bg_wait() { local i; for i in $(seq 300); do [ "$(__docs_size)" -gt "$1" ] && return 0; kill -0 "$2" 2>/dev/null || { [ "$(__docs_size)" -gt "$1" ] && return 0; echo "docs-test: background job exited before printing" >&2; return 1; }; sleep 0.1; done; echo "docs-test: background job printed nothing in 30 s" >&2; return 1; }',
  ];
  const lines = joinContinuations(b.code).split('\n');
  // `set -e` lets the first command of `a && b` fail unnoticed unless it is the last line; so each plain one-line
  // command gets `|| exit $?` — unless the block has compound commands spanning lines, where set -e alone applies.
  const compound = lines.some((l) => /^\s*(if|for|while|until|case|function)\b|[{(]\s*$/.test(stripComment(l)));
  for (let line of lines) {
    if (netns !== undefined && b.expect.netns !== undefined) line = line.replace(new RegExp(`(\\bip\\s+netns\\s+(?:add|exec|delete|del|pids)\\s+)${b.expect.netns}\\b`, 'g'), `$1${netns}`);
    const cmd = stripComment(line).trim();
    if (skip.has(cmd)) {
      out.push(`: skipped by its docs-test marker: ${JSON.stringify(cmd)}`);
    } else if (/[^&]&$/.test(cmd)) {
      out.push('__docs_n=$(__docs_size)', cmd, '__docs_bg_wait "$__docs_n" $!');
    } else if (cmd !== '' && !compound && !/(\||&&|;)$/.test(cmd)) {
      out.push(`${cmd} || exit $?`);
    } else out.push(line);
  }
  return out.join('\n') + '\n';
}
