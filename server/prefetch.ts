import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Prefetch before launch: a client may download its document encrypted with
 * AES-256-GCM under a per-region key, and decrypt it the moment the region's
 * key is released at launch. Keys are derived (HKDF-SHA256) from the server
 * secret, the region and the year, so every server of a fleet derives the same
 * key and nothing needs storing.
 */
export function regionKey(secret: Buffer, region: string, year: number): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.from('wrapped-prefetch'), Buffer.from(`${region}:${year}`), 32));
}

export interface Sealed {
  readonly alg: 'A256GCM';
  readonly region: string;
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

export function seal(key: Buffer, region: string, plaintext: Buffer): Sealed {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return { alg: 'A256GCM', region, iv: iv.toString('base64'), ciphertext: ct.toString('base64'), tag: c.getAuthTag().toString('base64') };
}
