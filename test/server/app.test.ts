import { createDecipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentPath } from '../../stages/package/document-path.ts';
import { buildServer, DEFAULTS, userToken, type ServerConfig } from '../../server/app.ts';
import { loadSecrets } from '../../server/secrets.ts';
import { signToken } from '../../server/tokens.ts';
import { tempDir } from '../helpers/tmp.ts';
import { publishedFixture } from './server-fixture.ts';

type Started = { base: string; close: () => Promise<void>; logs: () => string; clock: { t: number } };

/** A raw request (no URL normalization, no automatic decompression). */
function raw(base: string, method: string, p: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: p, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('wrapped serve over a real socket', () => {
  const tmp = tempDir('server');
  let fx: Awaited<ReturnType<typeof publishedFixture>>;
  const servers: Started[] = [];
  const env = { WRAPPED_SECRET: 'test-secret-0123456789', WRAPPED_ADMIN_TOKEN: 'admin-token-abcdef' };

  async function start(over: Partial<ServerConfig> = {}): Promise<Started> {
    let text = '';
    const stream = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
    const clock = { t: Date.now() };
    const { app } = buildServer({
      out: fx.out, secrets: loadSecrets(fx.out, env), launched: 'all', shareTtlS: 3600, rateLimit: 10_000, rateWindowMs: 60_000,
      bodyLimit: DEFAULTS.bodyLimit, logger: { level: 'info', stream }, now: () => clock.t, ...over,
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const s = { base: address, close: () => app.close(), logs: () => text, clock };
    servers.push(s);
    return s;
  }
  const token = (u: string, ttl = 600, now = Date.now()) => userToken(loadSecrets(fx.out, env), u, ttl, now);
  const auth = (u: string, t = token(u)) => ({ authorization: `Bearer ${t}` });
  const docFile = (u: string) => path.join(fx.out, 'current', documentPath(2025, u));
  const isErrorJson = (body: Buffer, code: string) => {
    const j = JSON.parse(body.toString()) as { error: { code: string; message: string } };
    expect(j.error.code).toBe(code);
    expect(body.toString()).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  };

  beforeAll(async () => {
    fx = await publishedFixture(tmp.dir);
  }, 300_000);
  afterAll(async () => {
    for (const s of servers) await s.close();
    tmp.cleanup();
  });

  it('serves the owner\'s document: gzip as stored, identity otherwise, strong ETag, 304, private immutable caching', async () => {
    const s = await start();
    const u = fx.eligible[0]!;
    const plain = await raw(s.base, 'GET', `/wrapped/${u}`, { ...auth(u), 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.body.equals(fs.readFileSync(docFile(u)))).toBe(true);
    expect(plain.headers['etag']).toBe(`"${createHash('sha256').update(plain.body).digest('hex')}"`);
    expect(plain.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const gz = await raw(s.base, 'GET', `/wrapped/${u}`, { ...auth(u), 'accept-encoding': 'br, gzip;q=0.8' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.equals(fs.readFileSync(docFile(u) + '.gz'))).toBe(true);
    expect(Buffer.from(gunzipSync(gz.body)).equals(plain.body)).toBe(true);
    const refused = await raw(s.base, 'GET', `/wrapped/${u}`, { ...auth(u), 'accept-encoding': 'gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const again = await raw(s.base, 'GET', `/wrapped/${u}`, { ...auth(u), 'if-none-match': plain.headers['etag'] as string });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const other = fx.ineligible[0] ?? fx.eligible[1]!;
    const small = await raw(s.base, 'GET', `/wrapped/${other}`, auth(other));
    expect(small.status).toBe(200);
  });

  it('answers bad requests with 4xx JSON: malformed id 400, unknown 404, no or bad or expired token 401, someone else\'s 403', async () => {
    const s = await start();
    const [u, v] = fx.eligible as [string, string];
    isErrorJson((await raw(s.base, 'GET', '/wrapped/NOT-AN-ID', auth(u))).body, 'ERR_BAD_USER_ID');
    expect((await raw(s.base, 'GET', '/wrapped/NOT-AN-ID', auth(u))).status).toBe(400);
    const unknown = 'f'.repeat(32);
    const r404 = await raw(s.base, 'GET', `/wrapped/${unknown}`, auth(unknown));
    expect(r404.status).toBe(404);
    isErrorJson(r404.body, 'ERR_NOT_FOUND');
    for (const h of [{} as Record<string, string>, { authorization: 'Basic abc' }, { authorization: `Bearer ${token(u)}x` }, { authorization: 'Bearer a.b.c' }]) {
      const r = await raw(s.base, 'GET', `/wrapped/${u}`, h);
      expect(r.status).toBe(401);
      isErrorJson(r.body, 'ERR_UNAUTHORIZED');
    }
    const expired = await raw(s.base, 'GET', `/wrapped/${u}`, auth(u, token(u, 60, Date.now() - 120_000)));
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.body.toString()).error.message).toMatch(/expired/);
    // A share token is not a user token.
    const shareTok = signToken(loadSecrets(fx.out, env).secret, { kind: 'share', sub: u, exp: Math.floor(Date.now() / 1000) + 600 });
    expect((await raw(s.base, 'GET', `/wrapped/${u}`, auth(u, shareTok))).status).toBe(401);
    const forbidden = await raw(s.base, 'GET', `/wrapped/${u}`, auth(v));
    expect(forbidden.status).toBe(403);
    isErrorJson(forbidden.body, 'ERR_FORBIDDEN');
    const route = await raw(s.base, 'GET', '/nope');
    expect(route.status).toBe(404);
    isErrorJson(route.body, 'ERR_NOT_FOUND');
  });

  it('lets no path escape the output directory', async () => {
    const s = await start();
    const u = fx.eligible[0]!;
    for (const p of ['/wrapped/..%2F..%2F..%2Fetc%2Fpasswd', '/wrapped/../../../etc/passwd', `/wrapped/${u}/..%2F..%2Fmanifest.json`, '/wrapped/%2e%2e/story.png',
      '/s/..%2F..%2F.secrets%2Fserver-secret', '/wrapped/' + u + '%00/story.png', '/%2e%2e/%2e%2e/etc/passwd', '/wrapped/' + u + '/story.png/../../../../run.json']) {
      const r = await raw(s.base, 'GET', p, auth(u));
      expect(r.status, p).toBeGreaterThanOrEqual(400);
      expect(r.status, p).toBeLessThan(500);
      expect(r.body.toString(), p).not.toMatch(/root:|secret|"run_id"/);
      expect(() => JSON.parse(r.body.toString()), p).not.toThrow();
    }
  });

  it('serves the card to its owner, and 404 for a user without one', async () => {
    const s = await start();
    const u = fx.eligible[0]!;
    const png = await raw(s.base, 'GET', `/wrapped/${u}/story.png`, auth(u));
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.body.readUInt32BE(16)).toBe(1080);
    const again = await raw(s.base, 'GET', `/wrapped/${u}/story.png`, { ...auth(u), 'if-none-match': png.headers['etag'] as string });
    expect(again.status).toBe(304);
    const json = await raw(s.base, 'GET', `/wrapped/${u}/story.json`, auth(u));
    expect(JSON.parse(json.body.toString()).user_id).toBe(u);
    if (fx.ineligible[0]) {
      const w = fx.ineligible[0];
      expect((await raw(s.base, 'GET', `/wrapped/${w}/story.png`, auth(w))).status).toBe(404);
    }
  });

  it('creates signed, expiring share links that expose only the card and a summary page', async () => {
    const s = await start();
    const u = fx.eligible[0]!;
    const post = (body: string, h: Record<string, string> = auth(u)) => raw(s.base, 'POST', `/wrapped/${u}/share`, { ...h, 'content-type': 'application/json' }, body);
    const r = await post(JSON.stringify({ target: 'instagram_stories' }));
    expect(r.status).toBe(200);
    const { share_url, expires_at } = JSON.parse(r.body.toString()) as { share_url: string; expires_at: string };
    expect(Date.parse(expires_at) - s.clock.t).toBeGreaterThan(3_500_000);
    const sharePath = new URL(share_url).pathname;
    const page = await raw(s.base, 'GET', sharePath);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const html = page.body.toString();
    const doc = JSON.parse(fs.readFileSync(docFile(u), 'utf8')) as { total_minutes: number; top_artists: Array<{ name: string }>; total_ms: number; unique_tracks: number };
    expect(html).toContain(doc.total_minutes.toLocaleString('en-US'));
    // Only the card's content: not the document's other numbers.
    expect(html).not.toContain(String(doc.total_ms));
    expect(html).not.toContain('"user_id"');
    const img = await raw(s.base, 'GET', `${sharePath}/story.png`);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    // The share token opens nothing else.
    expect((await raw(s.base, 'GET', `/wrapped/${u}`, { authorization: `Bearer ${sharePath.slice(3)}` })).status).toBe(401);
    // Tampered and expired links.
    expect((await raw(s.base, 'GET', sharePath.slice(0, -2) + 'AA')).status).toBe(401);
    s.clock.t += 3601_000;
    const gone = await raw(s.base, 'GET', sharePath);
    expect(gone.status).toBe(410);
    isErrorJson(gone.body, 'ERR_SHARE_EXPIRED');
    s.clock.t -= 3601_000;
    // Bad bodies.
    expect((await post(JSON.stringify({ target: 'myspace' }))).status).toBe(400);
    expect((await post('{"target":')).status).toBe(400);
    const big = await post(JSON.stringify({ target: 'x'.repeat(5000) }));
    expect(big.status).toBe(413);
    isErrorJson(big.body, 'ERR_BODY_TOO_LARGE');
    expect((await post(JSON.stringify({ target: 'twitter' }), auth(fx.eligible[1]!))).status).toBe(403);
  });

  it('gates reads by region, releases an encrypted prefetch\'s key at launch, and flips without a restart', async () => {
    const s = await start({ launched: 'none' });
    const u = fx.eligible[0]!;
    const region = fx.regionOf.get(u)!;
    const before = await raw(s.base, 'GET', `/wrapped/${u}`, auth(u));
    expect(before.status).toBe(403);
    isErrorJson(before.body, 'ERR_NOT_LAUNCHED');
    expect((await raw(s.base, 'POST', `/wrapped/${u}/share`, { ...auth(u), 'content-type': 'application/json' }, '{"target":"twitter"}')).status).toBe(403);
    const sealed = JSON.parse((await raw(s.base, 'GET', `/wrapped/${u}/prefetch`, auth(u))).body.toString()) as { region: string; iv: string; ciphertext: string; tag: string };
    expect(sealed.region).toBe(region);
    expect(Buffer.from(sealed.ciphertext, 'base64').includes(Buffer.from(u))).toBe(false);
    expect((await raw(s.base, 'GET', `/launch/keys/${region}`)).status).toBe(403);
    expect((await raw(s.base, 'PUT', `/admin/launch/${region}`, { 'content-type': 'application/json' }, '{"launched":true}')).status).toBe(401);
    expect((await raw(s.base, 'PUT', `/admin/launch/${region}`, { authorization: 'Bearer wrong', 'content-type': 'application/json' }, '{"launched":true}')).status).toBe(401);
    const admin = { authorization: `Bearer ${env.WRAPPED_ADMIN_TOKEN}`, 'content-type': 'application/json' };
    expect((await raw(s.base, 'PUT', `/admin/launch/${region}`, admin, '{"launched":"yes"}')).status).toBe(400);
    const flip = await raw(s.base, 'PUT', `/admin/launch/${region}`, admin, '{"launched":true}');
    expect(flip.status).toBe(200);
    expect(JSON.parse(flip.body.toString()).regions).toContain(region);
    const after = await raw(s.base, 'GET', `/wrapped/${u}`, { ...auth(u), 'accept-encoding': 'identity' });
    expect(after.status).toBe(200);
    const key = JSON.parse((await raw(s.base, 'GET', `/launch/keys/${region}`)).body.toString()) as { key: string };
    const d = createDecipheriv('aes-256-gcm', Buffer.from(key.key, 'base64'), Buffer.from(sealed.iv, 'base64'));
    d.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const opened = Buffer.concat([d.update(Buffer.from(sealed.ciphertext, 'base64')), d.final()]);
    expect(opened.equals(after.body)).toBe(true);
    // Another region's key does not open it, and that region is still closed.
    const otherRegion = [...new Set(fx.regionOf.values())].find((r) => r !== region);
    if (otherRegion) expect((await raw(s.base, 'GET', `/launch/keys/${otherRegion}`)).status).toBe(403);
  });

  it('limits requests per client, and keeps tokens out of its logs', async () => {
    const s = await start({ rateLimit: 5 });
    const u = fx.eligible[0]!;
    const t = token(u);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await raw(s.base, 'GET', `/wrapped/${u}`, auth(u, t))).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const logs = s.logs();
    expect(logs).toContain(`/wrapped/${u}`);
    expect(logs).not.toContain(t);
    expect(logs).not.toContain(t.split('.')[1]!);
  });

  it('serves the same bytes from the warm-up\'s memory as from disk, within its memory budget', async () => {
    const { app, store } = buildServer({ out: fx.out, secrets: loadSecrets(fx.out, env), launched: 'all', shareTtlS: 60, rateLimit: 1000, rateWindowMs: 60_000, bodyLimit: 1024, logger: false, cacheBytes: 40_000 });
    const w = await store.warm();
    expect(w.files).toBe(2 * (fx.eligible.length + fx.ineligible.length));
    expect(w.held).toBeGreaterThan(0);
    expect(w.held).toBeLessThanOrEqual(40_000);
    for (const u of fx.eligible.slice(0, 10)) {
      for (const enc of ['gzip', 'identity']) {
        const r = await app.inject({ method: 'GET', url: `/wrapped/${u}`, headers: { ...auth(u), 'accept-encoding': enc } });
        expect(r.rawPayload.equals(fs.readFileSync(docFile(u) + (enc === 'gzip' ? '.gz' : '')))).toBe(true);
      }
    }
    await app.close();
  });

  it('serves its OpenAPI description and a health check', async () => {
    const s = await start();
    const o = JSON.parse((await raw(s.base, 'GET', '/openapi.json')).body.toString()) as { openapi: string; paths: Record<string, unknown> };
    expect(o.openapi).toBe('3.1.0');
    expect(Object.keys(o.paths)).toContain('/wrapped/{user_id}/share');
    expect(JSON.parse((await raw(s.base, 'GET', '/healthz')).body.toString())).toEqual({ ok: true, years: [2025] });
  });
});
