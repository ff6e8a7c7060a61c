import { wrappedError } from '../errors/registry.ts';

/** The kinds of value a flag takes. */
export type FlagKind = 'string' | 'int' | 'number' | 'bool' | 'int-list' | 'string-list' | 'date';

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly help: string;
  /** Shown in help; parsed values fall back to it. */
  readonly default?: string | number | boolean | readonly number[] | readonly string[];
  readonly required?: boolean;
  /** Placeholder shown in help, e.g. DIR. */
  readonly value?: string;
  /** Inclusive bounds for numeric flags. */
  readonly min?: number;
  readonly max?: number;
  /** Extra check; returns a description of what is expected, or null when valid. */
  readonly check?: (v: unknown) => string | null;
}

export type FlagValues = Record<string, unknown>;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function parseValue(command: string, spec: FlagSpec, raw: string): unknown {
  const bad = (expected: string) => wrappedError('ERR_CLI_BAD_VALUE', { command, flag: spec.name, expected, actual: raw });
  const inRange = (n: number, what: string) => {
    if (spec.min !== undefined && n < spec.min) throw bad(`${what} >= ${spec.min}`);
    if (spec.max !== undefined && n > spec.max) throw bad(`${what} <= ${spec.max}`);
    return n;
  };
  switch (spec.kind) {
    case 'string':
      if (raw === '') throw bad('a non-empty string');
      return raw;
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw bad('an integer');
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw bad('an integer');
      return inRange(n, 'an integer');
    }
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw bad('a number');
      return inRange(n, 'a number');
    }
    case 'bool':
      if (raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === 'false' || raw === '0' || raw === 'no') return false;
      throw bad('true or false');
    case 'int-list': {
      const parts = raw.split(',');
      return parts.map((s) => {
        if (!/^-?\d+$/.test(s)) throw bad('a comma-separated list of integers');
        return inRange(Number(s), 'each value');
      });
    }
    case 'string-list': {
      const parts = raw.split(',').map((s) => s.trim());
      if (parts.some((s) => s === '')) throw bad('a comma-separated list of non-empty values');
      return parts;
    }
    case 'date': {
      if (!DATE_RE.test(raw)) throw bad('a date YYYY-MM-DD');
      const t = Date.parse(`${raw}T00:00:00Z`);
      if (!Number.isFinite(t) || new Date(t).toISOString().slice(0, 10) !== raw) throw bad('a real calendar date YYYY-MM-DD');
      return raw;
    }
  }
}

/**
 * Parses `--name value`, `--name=value` and bare `--flag` for booleans. Unknown
 * flags, missing values, values of the wrong kind and missing required flags
 * are registry errors with exit code 2. Returns the values with defaults filled.
 */
export function parseFlags(command: string, specs: readonly FlagSpec[], argv: readonly string[]): FlagValues {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') throw wrappedError('ERR_CLI_UNEXPECTED_ARGUMENT', { command, argument: arg });
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = byName.get(name);
    if (!spec) throw wrappedError('ERR_CLI_UNKNOWN_FLAG', { command, flag: arg });
    let raw: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    if (raw === undefined) {
      if (spec.kind === 'bool') {
        out[name] = true;
        continue;
      }
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw wrappedError('ERR_CLI_MISSING_VALUE', { command, flag: name });
      raw = next;
      i++;
    }
    const value = parseValue(command, spec, raw);
    const problem = spec.check?.(value);
    if (problem) throw wrappedError('ERR_CLI_BAD_VALUE', { command, flag: name, expected: problem, actual: raw });
    out[name] = value;
  }
  for (const s of specs) {
    if (out[s.name] !== undefined) continue;
    if (s.required) throw wrappedError('ERR_CLI_MISSING_FLAG', { command, flag: s.name });
    if (s.default !== undefined) out[s.name] = s.default;
  }
  return out;
}

/** Renders the flags section of a command's help. */
export function formatFlags(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.kind === 'bool' ? '' : ` ${s.value ?? s.kind.toUpperCase()}`}`;
    const dflt = s.required ? ' (required)' : s.default !== undefined ? ` (default: ${String(s.default)})` : '';
    return [left, `${s.help}${dflt}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length), 10) + 2;
  return rows.map(([l, r]) => l.padEnd(width) + r).join('\n');
}
