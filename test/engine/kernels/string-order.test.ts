import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringOrder } from '../../../engine/kernels/string-order.ts';

/** The reference: a stable comparator sort on `<`. */
const naive = (ids: string[]) => ids.map((_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));

describe('stringOrder', () => {
  it('equals a stable sort on < for ids with shared prefixes, prefixes of each other, duplicates and any code units', () => {
    const id = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', 'z', '0', '~'), maxLength: 14 }).map((s) => 'trk_' + s),
      fc.string({ unit: 'grapheme-ascii', maxLength: 10 }),
      fc.string({ unit: 'binary', maxLength: 5 }),
      fc.string({ unit: fc.constantFrom('a', '\u007f', '\u00e9', '\uffff', '\ud83d'), maxLength: 8 }),
    );
    // Ids whose non-ASCII units are all low (U+0080..U+00FF): they must not be packed 7 bits a unit.
    const latin = fc.string({ unit: fc.constantFrom('a', 'b', '\u0080', '\u00c7'), maxLength: 6 });
    fc.assert(fc.property(fc.oneof(fc.array(id, { maxLength: 200 }), fc.array(latin, { maxLength: 60 })), (ids) => {
      expect(Array.from(stringOrder(ids))).toEqual(naive(ids));
    }), { numRuns: 300 });
  });

  it('orders ids that agree on every packed unit by the rest of the string', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => 'id_' + 'x'.repeat(12) + String((i * 7919) % 5000).padStart(4, '0'));
    expect(Array.from(stringOrder(ids))).toEqual(naive(ids));
  });
});
