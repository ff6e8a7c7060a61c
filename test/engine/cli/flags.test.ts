import { describe, expect, it } from 'vitest';
import { formatFlags, parseFlags, type FlagSpec } from '../../../engine/cli/flags.ts';

const SPECS: FlagSpec[] = [
  { name: 'lake', kind: 'string', required: true, help: 'lake' },
  { name: 'users', kind: 'int', default: 10, min: 1, help: 'users' },
  { name: 'share', kind: 'number', min: 0, max: 1, help: 'share' },
  { name: 'years', kind: 'int-list', default: [2025], help: 'years' },
  { name: 'force', kind: 'bool', help: 'force' },
  { name: 'day', kind: 'date', help: 'day' },
];

describe('parseFlags', () => {
  it('parses both --flag value and --flag=value, fills defaults, and takes bare booleans', () => {
    expect(parseFlags('t', SPECS, ['--lake', 'L', '--share=0.5', '--force', '--years', '2025,2026', '--day', '2024-02-29'])).toEqual({
      lake: 'L', share: 0.5, force: true, years: [2025, 2026], users: 10, day: '2024-02-29',
    });
    expect(parseFlags('t', SPECS, ['--lake=L', '--force=false']).force).toBe(false);
  });

  it('names the flag, the expectation and the value in every error', () => {
    const err = (argv: string[]) => {
      try {
        parseFlags('t', SPECS, argv);
      } catch (e) {
        return e as { code: string; message: string; exit: number };
      }
      throw new Error('expected an error');
    };
    expect(err(['--lake', 'L', '--users', '1.5'])).toMatchObject({ code: 'ERR_CLI_BAD_VALUE', exit: 2, message: "wrapped t: --users must be an integer, got '1.5'" });
    expect(err(['--lake', 'L', '--share', '2'])).toMatchObject({ message: "wrapped t: --share must be a number <= 1, got '2'" });
    expect(err(['--lake', 'L', '--day', '2025-02-29'])).toMatchObject({ message: "wrapped t: --day must be a real calendar date YYYY-MM-DD, got '2025-02-29'" });
    expect(err(['--lake', 'L', 'stray'])).toMatchObject({ code: 'ERR_CLI_UNEXPECTED_ARGUMENT' });
    expect(err(['--users', '3'])).toMatchObject({ code: 'ERR_CLI_MISSING_FLAG' });
    expect(err(['--lake', '--force'])).toMatchObject({ code: 'ERR_CLI_MISSING_VALUE' });
    expect(err(['--lake', 'L', '--nope'])).toMatchObject({ code: 'ERR_CLI_UNKNOWN_FLAG' });
  });

  it('renders help with defaults and required marks', () => {
    const h = formatFlags(SPECS);
    expect(h).toMatch(/--lake STRING\s+lake \(required\)/);
    expect(h).toMatch(/--users INT\s+users \(default: 10\)/);
  });
});
