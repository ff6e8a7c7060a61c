import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where generated secrets live when the environment gives none: beside the output, never in the code. */
export const SECRETS_DIR = '.secrets';

export interface ServerSecrets {
  /** HMAC key for tokens and share links, and the root of the prefetch keys. */
  readonly secret: Buffer;
  /** Bearer token for /admin routes. */
  readonly adminToken: string;
  /** Where each came from, for the start-up log (never the values). */
  readonly sources: { readonly secret: 'env' | 'file'; readonly adminToken: 'env' | 'file' };
}

function fromFile(out: string, name: string, make: () => string): string {
  const dir = path.join(out, SECRETS_DIR);
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const v = make();
    // 'wx': if another process created it first, use theirs.
    try {
      fs.writeFileSync(file, v + '\n', { mode: 0o600, flag: 'wx' });
    } catch {
      return fs.readFileSync(file, 'utf8').trim();
    }
    return v;
  }
}

/** WRAPPED_SECRET / WRAPPED_ADMIN_TOKEN from the environment, else generated files in <out>/.secrets (mode 0600). */
export function loadSecrets(out: string, env: NodeJS.ProcessEnv = process.env): ServerSecrets {
  const s = env['WRAPPED_SECRET'];
  const a = env['WRAPPED_ADMIN_TOKEN'];
  const secret = s ? s : fromFile(out, 'server-secret', () => randomBytes(32).toString('hex'));
  const adminToken = a ? a : fromFile(out, 'admin-token', () => randomBytes(24).toString('base64url'));
  return { secret: Buffer.from(secret, 'utf8'), adminToken, sources: { secret: s ? 'env' : 'file', adminToken: a ? 'env' : 'file' } };
}
