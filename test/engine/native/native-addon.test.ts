import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAddon } from '../../../engine/native/native-addon.ts';

const SPEC = { dir: path.join(import.meta.dirname, 'nowhere'), target: 'wrapped_none', version: 1, sources: ['none.cc'], disableEnv: 'WRAPPED_NO_NONE' };

describe('loadAddon', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('is off, with the reason, when WRAPPED_NO_NATIVE=1 or the addon\'s own switch is set', () => {
    process.env['WRAPPED_NO_NATIVE'] = '1';
    expect(loadAddon(SPEC)).toEqual({ addon: null, why: 'WRAPPED_NO_NATIVE=1' });
    delete process.env['WRAPPED_NO_NATIVE'];
    process.env['WRAPPED_NO_NONE'] = '1';
    expect(loadAddon(SPEC)).toEqual({ addon: null, why: 'WRAPPED_NO_NONE=1' });
  });

  it('returns null and the first line of the failure for an addon that cannot be built, never throws', () => {
    const r = loadAddon(SPEC);
    expect(r.addon).toBeNull();
    expect(r.why).toMatch(/nowhere|node-gyp/);
    expect(r.why).not.toContain('\n');
  });
});
