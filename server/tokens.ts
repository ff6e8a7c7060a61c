import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed bearer tokens: base64url(JSON payload) + "." + base64url(HMAC-SHA256).
 * `kind` keeps a share token from being used as a user token and back.
 */
export interface TokenPayload {
  readonly kind: 'user' | 'share';
  /** user_id */
  readonly sub: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** Share tokens: the target the link was made for. */
  readonly target?: string;
  /** Share tokens: the year of the shared Wrapped. */
  readonly year?: number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const sign = (secret: Buffer, body: string) => createHmac('sha256', secret).update(body).digest();

export function signToken(secret: Buffer, p: TokenPayload): string {
  const body = b64(JSON.stringify(p));
  return `${body}.${b64(sign(secret, body))}`;
}

export type TokenCheck = { ok: true; payload: TokenPayload } | { ok: false; problem: 'malformed' | 'bad signature' | 'expired' | 'wrong kind'; payload?: TokenPayload };

/** Verifies signature (constant time), kind and expiry at `nowS`. */
export function verifyToken(secret: Buffer, token: string, kind: TokenPayload['kind'], nowS: number): TokenCheck {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.') || token.length > 2048) return { ok: false, problem: 'malformed' };
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const want = sign(secret, body);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return { ok: false, problem: 'bad signature' };
  let p: TokenPayload;
  try {
    p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  if (typeof p !== 'object' || p === null || typeof p.sub !== 'string' || typeof p.exp !== 'number') return { ok: false, problem: 'malformed' };
  if (p.kind !== kind) return { ok: false, problem: 'wrong kind', payload: p };
  if (p.exp <= nowS) return { ok: false, problem: 'expired', payload: p };
  return { ok: true, payload: p };
}
