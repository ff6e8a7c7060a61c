import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, DEFAULTS, userToken } from '../../server/app.ts';
import { loadSecrets } from '../../server/secrets.ts';
import { tempDir } from '../helpers/tmp.ts';
import { publishedFixture } from './server-fixture.ts';

const run = promisify(execFile);
/** Debian's chromium (.ci/run installs it when missing). */
const CHROMIUM = process.env['CHROMIUM'] ?? 'chromium';
const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--virtual-time-budget=5000'];

describe('the public share page in headless Chromium', () => {
  const tmp = tempDir('browser');
  let shareUrl = '';
  let minutes = 0;
  let close = async () => {};

  beforeAll(async () => {
    const fx = await publishedFixture(tmp.dir);
    const secrets = loadSecrets(fx.out, { WRAPPED_SECRET: 's'.repeat(32), WRAPPED_ADMIN_TOKEN: 'a'.repeat(16) });
    const { app } = buildServer({ out: fx.out, secrets, launched: 'all', shareTtlS: 600, rateLimit: 1000, rateWindowMs: 60_000, bodyLimit: DEFAULTS.bodyLimit, logger: false });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    close = () => app.close();
    const u = fx.eligible[0]!;
    const r = await fetch(`${base}/wrapped/${u}/share`, { method: 'POST', headers: { authorization: `Bearer ${userToken(secrets, u, 600)}`, 'content-type': 'application/json' }, body: '{"target":"copy_link"}' });
    shareUrl = ((await r.json()) as { share_url: string }).share_url;
    const doc = (await (await fetch(`${base}/wrapped/${u}`, { headers: { authorization: `Bearer ${userToken(secrets, u, 600)}` } })).json()) as { total_minutes: number };
    minutes = doc.total_minutes;
  }, 300_000);
  afterAll(async () => {
    await close();
    tmp.cleanup();
  });

  it('renders the card image and the headline numbers', async () => {
    const { stdout } = await run(CHROMIUM, [...FLAGS, '--dump-dom', shareUrl], { timeout: 60_000 });
    // The page records the card's natural width once the image has loaded.
    expect(stdout).toContain('data-card-width="1080"');
    expect(stdout).toContain(`id="minutes">${minutes.toLocaleString('en-US')}<`);
    expect(stdout).toMatch(/<ol id="artists"><li>[^<]+<\/li>/);
  }, 90_000);

  it('takes a screenshot of it', async () => {
    const shot = path.join(tmp.dir, 'share.png');
    await run(CHROMIUM, [...FLAGS, '--window-size=1000,760', `--screenshot=${shot}`, shareUrl], { timeout: 60_000 });
    const png = fs.readFileSync(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1000, 760]);
    // A blank page compresses to a few kilobytes; the card and text make it far larger.
    expect(png.length).toBeGreaterThan(50_000);
  }, 90_000);
});
