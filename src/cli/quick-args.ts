// The flags of a plain replay read without yargs: `-r FILE` (any number of them), -q, -v, -S and
// a filter. Anything else — another flag, a grouped or `=` form, `--`, a token yargs would read
// as a number — returns null and yargs reads the whole command line, so both ways give the same
// result for every command this one accepts (test/quick-args.test.ts compares them).

const READ = new Set(['-r', '--read', '--readfile']);
const BOOLS: Record<string, string> = { '-q': 'q', '--quiet': 'q', '-v': 'v', '--verbose': 'v', '-S': 'S', '--summary': 'S' };
/** what yargs-parser takes for a number (and would hand on as one): decimal, exponent or hex */
const NUMERIC = /^[-+]?(\d|\.\d)|^0x[0-9a-f]+$/i;

/** The parsed flags in yargs' shape (short names, positionals in `_`), or null to leave it to yargs. */
export function quickArgs(argv: string[]): Record<string, unknown> | null {
  const read: string[] = [];
  const positionals: string[] = [];
  const a: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (READ.has(t)) {
      const f = argv[++i];
      if (f === undefined || f === '' || f.startsWith('-')) return null;
      read.push(f);
    } else if (BOOLS[t] !== undefined) {
      a[BOOLS[t]!] = true;
    } else if (t === '' || t.startsWith('-') || NUMERIC.test(t) || t === 'true' || t === 'false') {
      // ("true"/"false" after a boolean flag is that flag's value to yargs)
      return null;
    } else {
      positionals.push(t);
    }
  }
  if (read.length === 0) return null;
  a.r = read.length === 1 ? read[0] : read;
  a._ = positionals;
  return a;
}
