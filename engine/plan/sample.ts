import { murmur3_32 } from '../smb/murmur3.ts';
import { KEY_BYTES } from '../smb/key.ts';

/** A seed other than the bucketing hash's, so a sample is spread over every bucket. */
export const SAMPLE_SEED = 0x5a3d1e;

/**
 * True when the user whose 16-byte key is row `row` of `keys` is in a
 * deterministic sample of `fraction` of users (`wrapped run --sample`): the
 * same users for the same fraction on every run, and a larger fraction's
 * sample contains a smaller one's.
 */
export function inSample(keys: Uint8Array, row: number, fraction: number): boolean {
  return murmur3_32(keys, row * KEY_BYTES, KEY_BYTES, SAMPLE_SEED) / 4294967296 < fraction;
}
