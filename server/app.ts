import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { wrappedError } from '../engine/errors/registry.ts';
import type { StoryCard } from '../stages/package/story-card.ts';
import { DocumentStore, type IndexEntry } from './document-store.ts';
import { errorHandler, fail, sendError } from './error-reply.ts';
import { LaunchFlags } from './launch-flags.ts';
import { OPENAPI } from './openapi.ts';
import { regionKey, seal } from './prefetch.ts';
import { RateLimiter } from './rate-limit.ts';
import type { ServerSecrets } from './secrets.ts';
import { sharePage } from './share-page.ts';
import { signToken, verifyToken } from './tokens.ts';
import { DEFAULTS } from './defaults.ts';

/** Where a share link may be posted. */
export const SHARE_TARGETS = ['instagram_stories', 'tiktok', 'snapchat', 'whatsapp', 'messenger', 'twitter', 'facebook', 'copy_link'] as const;

export interface ServerConfig {
  readonly out: string;
  readonly secrets: ServerSecrets;
  /** --launched: all, none, or regions. */
  readonly launched: string;
  readonly shareTtlS: number;
  readonly rateLimit: number;
  readonly rateWindowMs: number;
  readonly bodyLimit: number;
  /** pino options (false for none); tokens are never logged. */
  readonly logger: boolean | Record<string, unknown>;
  readonly now?: () => number;
  /** Memory for document bodies kept by the warm-up (default 256 MiB). */
  readonly cacheBytes?: number;
}

export { DEFAULTS };

const USER_ID = /^[0-9a-f]{32}$/;
const REGION = /^[A-Za-z0-9_-]{1,32}$/;
/** Documents never change once published: a private cache may keep them for a year. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

/** Request URLs as logged: share tokens replaced, query strings dropped. */
export function redactUrl(url: string): string {
  return url.replace(/\/s\/[^/?#]+/, '/s/[token]').replace(/\?.*$/, '');
}

/** True when Accept-Encoding lists gzip (or *) with a q above 0. */
export function acceptsGzip(header: string | undefined): boolean {
  for (const part of String(header ?? '').split(',')) {
    const [name, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    if (name !== 'gzip' && name !== '*') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
const etagMatches = (req: FastifyRequest, etag: string) => {
  const h = req.headers['if-none-match'];
  return typeof h === 'string' && h.split(',').some((t) => t.trim() === etag || t.trim() === '*');
};

/** Builds the fastify app: routes, auth, launch flags, rate limit, errors as JSON. Call `listen` on it. */
export function buildServer(c: ServerConfig): { app: FastifyInstance; store: DocumentStore; flags: LaunchFlags } {
  const now = c.now ?? Date.now;
  const store = new DocumentStore(c.out, c.cacheBytes);
  const flags = new LaunchFlags(c.launched);
  const limiter = new RateLimiter(c.rateLimit, c.rateWindowMs, now);
  const app = Fastify({
    bodyLimit: c.bodyLimit,
    // Share tokens travel in the path (/s/:token): longer than fastify's default of 100.
    routerOptions: { maxParamLength: 1024 },
    logger: c.logger === false ? false : {
      ...(typeof c.logger === 'object' ? c.logger : {}),
      redact: ['req.headers.authorization'],
      serializers: { req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }) },
    },
    frameworkErrors: (err, req, reply) => sendError(reply, wrappedError('ERR_BAD_REQUEST', { problem: (err.message.split('\n')[0] ?? '').replace(req.url, redactUrl(req.url)).slice(0, 200) })),
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => sendError(reply, wrappedError('ERR_NOT_FOUND', { what: `${req.method} ${redactUrl(req.url)}` })));
  app.addHook('onRequest', async (req, reply) => {
    if (!limiter.take(req.ip)) return sendError(reply, wrappedError('ERR_RATE_LIMITED', { limit: limiter.limit, windowS: limiter.windowMs / 1000 }));
  });

  const bearer = (req: FastifyRequest): string => {
    const h = req.headers.authorization;
    if (!h) fail('ERR_UNAUTHORIZED', { problem: 'no Authorization header (expected: Bearer <token>)' });
    const m = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(h);
    if (!m) fail('ERR_UNAUTHORIZED', { problem: 'malformed Authorization header (expected: Bearer <token>)' });
    return m[1]!;
  };
  const year = (req: FastifyRequest): number => {
    const q = (req.query as Record<string, string | undefined>)['year'];
    if (q === undefined) return store.latestYear();
    if (!/^\d{4}$/.test(q)) fail('ERR_BAD_REQUEST', { problem: `year must be four digits, got '${q.slice(0, 16)}'` });
    return Number(q);
  };
  /** The owner's published entry: id format, token (signature, expiry, owner), existence. Launch is checked by the caller. */
  const owned = (req: FastifyRequest): { user: string; year: number; entry: IndexEntry } => {
    const user = (req.params as { user_id: string }).user_id;
    if (!USER_ID.test(user)) fail('ERR_BAD_USER_ID', { value: user });
    const t = verifyToken(c.secrets.secret, bearer(req), 'user', Math.floor(now() / 1000));
    if (!t.ok) fail('ERR_UNAUTHORIZED', { problem: `token ${t.problem}` });
    if (t.payload.sub !== user) fail('ERR_FORBIDDEN', { problem: 'this token belongs to another user' });
    const y = year(req);
    const entry = store.entry(y, user);
    if (!entry) fail('ERR_NOT_FOUND', { what: `no ${y} Wrapped for this user` });
    return { user, year: y, entry };
  };
  const launched = (e: IndexEntry) => {
    if (!flags.isLaunched(e.region)) fail('ERR_NOT_LAUNCHED', { region: e.region || 'unknown' });
  };
  const sendCard = async (req: FastifyRequest, reply: FastifyReply, y: number, user: string, e: IndexEntry, file: 'story.png' | 'story.json', cache: string) => {
    const card = await store.card(y, user, e, file);
    if (!card) fail('ERR_NOT_FOUND', { what: `no card for this user (ineligible, or cards were not rendered)` });
    const etag = `"${card.etag}"`;
    reply.header('etag', etag).header('cache-control', cache);
    if (etagMatches(req, etag)) return reply.code(304).send();
    return reply.type(file === 'story.png' ? 'image/png' : 'application/json; charset=utf-8').send(card.bytes);
  };

  app.get('/healthz', async () => ({ ok: true, years: store.years() }));
  app.get('/openapi.json', async () => OPENAPI);

  app.get('/wrapped/:user_id', async (req, reply) => {
    const { user, year: y, entry } = owned(req);
    launched(entry);
    const etag = `"${entry.sha256}"`;
    reply.header('etag', etag).header('cache-control', IMMUTABLE).header('vary', 'Accept-Encoding, Authorization');
    if (etagMatches(req, etag)) return reply.code(304).send();
    const gz = acceptsGzip(req.headers['accept-encoding']);
    const body = await store.document(y, user, entry, gz);
    if (gz) reply.header('content-encoding', 'gzip');
    return reply.type('application/json; charset=utf-8').send(body);
  });

  for (const file of ['story.png', 'story.json'] as const) {
    app.get(`/wrapped/:user_id/${file}`, async (req, reply) => {
      const { user, year: y, entry } = owned(req);
      launched(entry);
      return sendCard(req, reply, y, user, entry, file, IMMUTABLE);
    });
  }

  app.get('/wrapped/:user_id/prefetch', async (req, reply) => {
    const { user, year: y, entry } = owned(req);
    const body = await store.document(y, user, entry, false);
    return reply.header('cache-control', 'private, no-store').send(seal(regionKey(c.secrets.secret, entry.region, y), entry.region, body));
  });

  app.get('/launch/keys/:region', async (req) => {
    const region = (req.params as { region: string }).region;
    if (!REGION.test(region)) fail('ERR_BAD_REQUEST', { problem: 'region must be 1–32 letters, digits, - or _' });
    if (!flags.isLaunched(region)) fail('ERR_NOT_LAUNCHED', { region });
    const y = year(req);
    return { region, year: y, key: regionKey(c.secrets.secret, region, y).toString('base64') };
  });

  app.post('/wrapped/:user_id/share', async (req) => {
    const { user, year: y, entry } = owned(req);
    launched(entry);
    const target = (req.body as { target?: unknown } | undefined)?.target;
    if (typeof target !== 'string' || !(SHARE_TARGETS as readonly string[]).includes(target)) {
      fail('ERR_BAD_REQUEST', { problem: `target must be one of ${SHARE_TARGETS.join(', ')}` });
    }
    if (!entry.eligible) fail('ERR_NOT_FOUND', { what: 'no card to share (not eligible this year)' });
    const exp = Math.floor(now() / 1000) + c.shareTtlS;
    const token = signToken(c.secrets.secret, { kind: 'share', sub: user, exp, target, year: y });
    return { share_url: `${req.protocol}://${req.host}/s/${token}`, expires_at: new Date(exp * 1000).toISOString() };
  });

  /** A share token's user and year: signature, kind and expiry (410 once expired), launch. */
  const shared = (req: FastifyRequest) => {
    const token = (req.params as { token: string }).token;
    const t = verifyToken(c.secrets.secret, token, 'share', Math.floor(now() / 1000));
    if (!t.ok && t.problem === 'expired') fail('ERR_SHARE_EXPIRED', { expired: new Date(t.payload!.exp * 1000).toISOString() });
    if (!t.ok) fail('ERR_UNAUTHORIZED', { problem: `share link ${t.problem}` });
    const user = t.payload.sub;
    const y = t.payload.year ?? store.latestYear();
    if (!USER_ID.test(user)) fail('ERR_UNAUTHORIZED', { problem: 'share link malformed' });
    const entry = store.entry(y, user);
    if (!entry) fail('ERR_NOT_FOUND', { what: 'this Wrapped is no longer published' });
    launched(entry);
    return { token, user, year: y, entry };
  };
  app.get('/s/:token', async (req, reply) => {
    const { token, user, year: y, entry } = shared(req);
    const card = await store.card(y, user, entry, 'story.json');
    if (!card) fail('ERR_NOT_FOUND', { what: 'no card for this link' });
    return reply.header('cache-control', 'public, max-age=300').type('text/html; charset=utf-8')
      .send(sharePage(JSON.parse(card.bytes.toString('utf8')) as StoryCard, `/s/${token}/story.png`));
  });
  app.get('/s/:token/story.png', async (req, reply) => {
    const { user, year: y, entry } = shared(req);
    return sendCard(req, reply, y, user, entry, 'story.png', 'public, max-age=300');
  });

  const admin = (req: FastifyRequest) => {
    const given = Buffer.from(bearer(req));
    const want = Buffer.from(c.secrets.adminToken);
    if (given.length !== want.length || !timingSafeEqual(given, want)) fail('ERR_UNAUTHORIZED', { problem: 'not the admin token' });
  };
  app.get('/admin/launch', async (req) => {
    admin(req);
    return flags.describe();
  });
  app.put('/admin/launch/:region', async (req) => {
    admin(req);
    const region = (req.params as { region: string }).region;
    if (!REGION.test(region)) fail('ERR_BAD_REQUEST', { problem: 'region must be 1–32 letters, digits, - or _ (or all)' });
    const launchedFlag = (req.body as { launched?: unknown } | undefined)?.launched;
    if (typeof launchedFlag !== 'boolean') fail('ERR_BAD_REQUEST', { problem: 'body must be { "launched": true | false }' });
    flags.set(region, launchedFlag);
    req.log.info({ region, launched: launchedFlag }, 'launch flag changed');
    return flags.describe();
  });

  return { app, store, flags };
}

/** A user token for `wrapped token` and tests. */
export function userToken(secrets: ServerSecrets, user: string, ttlS: number, nowMs = Date.now()): string {
  return signToken(secrets.secret, { kind: 'user', sub: user, exp: Math.floor(nowMs / 1000) + ttlS });
}
