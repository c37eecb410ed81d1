// Command-line flags for bench/run.ts and bench/soak.ts: `--name value` or `--name=value`, with an
// environment fallback BENCH_NAME (upper case, dashes as underscores) so CI-less runs can be tuned
// without editing package.json. Unknown flags stop the run: a typo must not silently measure the
// defaults.

export type FlagSpec = Record<string, { default: string; help: string }>;

export function parseFlags<S extends FlagSpec>(spec: S, argv = process.argv.slice(2), env = process.env): Record<keyof S, string> {
  const values: Record<string, string> = {};
  for (const [name, { default: fallback }] of Object.entries(spec)) {
    values[name] = env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}`] ?? fallback;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      printHelp(spec);
      process.exit(0);
    }
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !(match[1]! in spec)) throw new Error(`unknown argument ${arg} (see --help)`);
    const next = argv[i + 1];
    // A flag without a value (`--no-dist`) is "true".
    const value = match[2] ?? (next !== undefined && !next.startsWith('--') ? argv[++i]! : 'true');
    values[match[1]!] = value;
  }
  return values as Record<keyof S, string>;
}

function printHelp(spec: FlagSpec): void {
  for (const [name, { default: fallback, help }] of Object.entries(spec)) {
    console.log(`  --${name.padEnd(16)} ${help} (default: ${fallback || 'off'})`);
  }
}

export function numberFlag(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative number, got "${value}"`);
  return parsed;
}

export function numberList(value: string, name: string): number[] {
  return value.split(',').map((part) => numberFlag(part.trim(), name));
}
