import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBase62Id, isBase62IdBytes, isUserId, isUserIdBytes } from '../../../engine/lake/id-format.ts';

/** The references: SPEC §2's formats as regular expressions. */
const userRe = /^[0-9a-f]{32}$/;
const base62Re = /^[0-9A-Za-z]{22}$/;

describe('id formats', () => {
  it('agree with the regular expressions on strings and on their UTF-8 bytes', () => {
    const near = (alphabet: string, len: number) => fc.tuple(
      fc.string({ unit: fc.constantFrom(...alphabet.split(''), 'G', 'z', '-', '\u0130', '\u0100', '\u0161'), minLength: len - 1, maxLength: len + 1 }),
      fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: len, maxLength: len }),
    ).map(([a, b]) => [a, b]);
    const enc = new TextEncoder();
    fc.assert(fc.property(fc.oneof(near('0123456789abcdef', 32), near('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 22)), (ss) => {
      for (const s of ss) {
        const b = enc.encode(s);
        expect(isUserId(s)).toBe(userRe.test(s));
        expect(isBase62Id(s)).toBe(base62Re.test(s));
        expect(isUserIdBytes(b, 0, b.length)).toBe(userRe.test(s));
        expect(isBase62IdBytes(b, 0, b.length)).toBe(base62Re.test(s));
      }
    }), { numRuns: 500 });
  });
});
