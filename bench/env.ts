// The environment benchmarks run tsdig (and sysdig) with: what sudo leaves a command (its env_reset:
// the login basics and the locale), and TZ=UTC. `sudo tsdig` is how tsdig is run, so a variable of
// the developer's shell must not count: NODE_EXTRA_CA_CERTS, set on some development machines,
// makes node parse that CA file on every start (~60 ms here) although tsdig opens no TLS connection
// unless --otlp names an https collector.
const KEEP = /^(PATH|HOME|USER|LOGNAME|SHELL|TERM|LANG|LANGUAGE|LC_[A-Z_]+)$/;

export const RUN_ENV: NodeJS.ProcessEnv = { TZ: 'UTC' };
for (const [k, v] of Object.entries(process.env)) if (KEEP.test(k)) RUN_ENV[k] = v;

/** TSDIG_* settings of the shell are kept: they are the benchmark's own knobs */
export function runEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...RUN_ENV };
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('TSDIG_')) env[k] = v;
  return { ...env, ...extra };
}

/** one line for a benchmark's header */
export function envNote(): string {
  const dropped = Object.keys(process.env).filter((k) => !KEEP.test(k) && k !== 'TZ' && !k.startsWith('TSDIG_'));
  return `environment: as sudo leaves it (${Object.keys(RUN_ENV).sort().join(' ')})` +
    (dropped.includes('NODE_EXTRA_CA_CERTS') ? '; NODE_EXTRA_CA_CERTS of this shell left out (node parses it at every start)' : '');
}
