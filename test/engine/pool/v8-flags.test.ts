import { describe, expect, it } from 'vitest';
import { appliedV8Flags, applyV8Flags, V8_FLAGS, V8_FLAGS_ENV, v8FlagsToApply } from '../../../engine/pool/v8-flags.ts';
import { WorkerPool } from '../../../engine/pool/worker-pool.ts';
import { WrappedError } from '../../../engine/errors/registry.ts';

describe('v8 flags', () => {
  it('sets the inlining budget unless the environment or the node command line says otherwise', () => {
    expect(V8_FLAGS).toEqual(['--max-inlined-bytecode-size-cumulative=150']);
    expect(v8FlagsToApply({}, [])).toEqual([...V8_FLAGS]);
    // The node command line wins, in either spelling.
    expect(v8FlagsToApply({}, ['--max-inlined-bytecode-size-cumulative=920'])).toEqual([]);
    expect(v8FlagsToApply({}, ['--max_inlined_bytecode_size_cumulative=920'])).toEqual([]);
    expect(v8FlagsToApply({}, ['--import', 'tsx'])).toEqual([...V8_FLAGS]);
    // The environment replaces the list; empty means V8's defaults.
    expect(v8FlagsToApply({ [V8_FLAGS_ENV]: '' }, [])).toEqual([]);
    expect(v8FlagsToApply({ [V8_FLAGS_ENV]: ' --max-inlined-bytecode-size-cumulative=300  --stack-size=900 ' }, ['--stack-size=800'])).toEqual(['--max-inlined-bytecode-size-cumulative=300']);
  });

  it('refuses flags V8 cannot change in a running process, naming the flag and the way to give it', () => {
    for (const flag of ['--single-threaded-gc', '--max_old_space_size=4096', '--no-concurrent-marking', '--concurrent-recompilation']) {
      let err: unknown;
      try {
        v8FlagsToApply({ [V8_FLAGS_ENV]: `--max-inlined-bytecode-size-cumulative=300 ${flag}` }, []);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WrappedError);
      expect((err as WrappedError).code).toBe('ERR_V8_FLAG_NOT_SETTABLE');
      expect((err as WrappedError).message).toContain(`$WRAPPED_V8_FLAGS: '${flag}'`);
      expect((err as WrappedError).message).toContain(`node ${flag} engine/cli/wrapped.mjs`);
    }
    // Compiler and tracing flags pass.
    expect(v8FlagsToApply({ [V8_FLAGS_ENV]: '--trace-deopt --no-turbo-inlining' }, [])).toEqual(['--trace-deopt', '--no-turbo-inlining']);
  });

  it('applies them once per process, and a pool applies them before its workers start', async () => {
    expect(appliedV8Flags()).toBeNull();
    const pool = new WorkerPool({ workers: 1 });
    try {
      const first = appliedV8Flags();
      expect(first).toEqual(v8FlagsToApply());
      expect(applyV8Flags()).toBe(first);
    } finally {
      await pool.close();
    }
  });
});
