import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, WrappedError, wrappedError } from '../../../engine/errors/registry.ts';

const DOC = fs.readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...DOC.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| (\d+) \| (\d+) \|/gm)].map((m) => [m[1]!, { exit: Number(m[2]), status: Number(m[3]) }]),
);

describe('error registry', () => {
  it('documents every code in docs/errors.md with its exit code and HTTP status, and nothing else', () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERRORS).sort());
    for (const [code, d] of Object.entries(ERRORS)) expect(documented.get(code), code).toEqual({ exit: d.exit, status: d.status });
  });

  it('builds errors carrying code, status, exit code and a message from the template', () => {
    const e = wrappedError('ERR_LAKE_MISSING_COLUMN', { file: '/l/a.parquet', column: 'ts', found: ['user_id'] });
    expect(e).toBeInstanceOf(WrappedError);
    expect(e).toMatchObject({ code: 'ERR_LAKE_MISSING_COLUMN', exit: 1, status: 500 });
    expect(e.message).toBe("/l/a.parquet: expected column 'ts', found columns [user_id]");
  });
});
