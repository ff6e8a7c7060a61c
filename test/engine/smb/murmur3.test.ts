import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur3_32 } from '../../../engine/smb/murmur3.ts';

const enc = new TextEncoder();

describe('murmur3_32', () => {
  it('matches the reference MurmurHash3_x86_32 test vectors', () => {
    const vectors: Array<[string, number, number]> = [
      ['', 0, 0], ['', 1, 0x514e28b7], ['', 0xffffffff, 0x81f16f39], ['a', 0, 0x3c2569b2], ['abc', 0, 0xb3dd93fa],
      ['abcd', 0x9747b28c, 0xf0478627], ['hello', 0, 0x248bfa47], ['Hello, world!', 0x9747b28c, 0x24884cba],
      ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
    ];
    for (const [s, seed, want] of vectors) {
      const b = enc.encode(s);
      expect(murmur3_32(b, 0, b.length, seed), s).toBe(want);
    }
  });

  it('hashes a byte range the same wherever it sits in a buffer', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(16), fc.nat(16), (key, pre, post) => {
      const buf = new Uint8Array(pre + key.length + post).fill(0xab);
      buf.set(key, pre);
      expect(murmur3_32(buf, pre, key.length)).toBe(murmur3_32(key, 0, key.length));
    }));
  });
});
