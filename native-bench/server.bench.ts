/**
 * The document server under load (issue #7), beside nginx serving the same
 * precompressed files, in one run, on loopback:
 *   - GET /wrapped/:user_id (owner token, gzip) vs nginx `gzip_static` on the .json file;
 *   - GET /wrapped/:user_id/story.png vs nginx on the same PNG.
 * Requests cycle over every published document (10,000 on the reference run).
 * Before timing, sampled responses from both are checked byte for byte against
 * the files. Bounded: --duration seconds per scenario (default 10).
 *
 *   node --import tsx native-bench/server.bench.ts --out <out> [--connections 32] [--duration 10] [--nginx-workers 1] [--json]
 *
 * nginx comes from Debian (`apt-get install nginx-light`); without it the nginx rows are skipped and said so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { gunzipSync } from 'fflate';
import { userToken } from '../server/app.ts';
import { loadSecrets } from '../server/secrets.ts';
import { benchArgs } from './report.ts';

const args = benchArgs(process.argv.slice(2));
const out = path.resolve(args.get('out') ?? '');
const connections = Number(args.get('connections') ?? 32);
const duration = Number(args.get('duration') ?? 10);
const nginxWorkers = args.get('nginx-workers') ?? '1';
const json = args.has('json');
const env = { WRAPPED_SECRET: 'bench-secret-' + 'x'.repeat(20), WRAPPED_ADMIN_TOKEN: 'bench-admin-token' };
const current = fs.realpathSync(path.join(out, 'current'));
const year = fs.readdirSync(path.join(current, 'wrapped')).filter((y) => /^\d{4}$/.test(y)).sort().pop()!;
const yearDir = path.join(current, 'wrapped', year);
const rows = fs.readFileSync(path.join(yearDir, '_index.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
const docs = rows.map((r) => ({ user: r[0]!, prefix: r[1]!, eligible: r[5] === '1' }));
const withCards = docs.filter((d) => d.eligible && fs.existsSync(path.join(yearDir, `user_id=${d.prefix}`, d.user, 'story.png')));
const secrets = loadSecrets(out, env);
const tokens = new Map(docs.map((d) => [d.user, userToken(secrets, d.user, 3600)]));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-bench-server-'));
const children: ChildProcess[] = [];

function waitFor(child: ChildProcess, re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const on = (d: Buffer) => {
      text += d;
      const m = re.exec(text);
      if (m) resolve(m[1] ?? m[0]);
    };
    child.stderr!.on('data', on);
    child.stdout!.on('data', on);
    child.on('exit', (c) => reject(new Error(`exited ${c}: ${text.slice(-500)}`)));
  });
}

async function load(name: string, base: string, paths: Array<{ path: string; headers: Record<string, string> }>) {
  let i = 0;
  const r = await autocannon({
    url: base, connections, duration,
    requests: [{ setupRequest: (req) => {
      const p = paths[i++ % paths.length]!;
      return { ...req, method: 'GET', path: p.path, headers: { ...p.headers } };
    } }],
  });
  return { name, requests_per_s: Math.round(r.requests.average), p50_ms: r.latency.p50, p99_ms: r.latency.p99, max_ms: r.latency.max, requests: r.requests.total, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

try {
  // wrapped serve, in its own process (the load generator must not share its event loop).
  const serve = spawn(process.execPath, ['engine/cli/wrapped.mjs', 'serve', '--out', out, '--port', '0', '--launched', 'all', '--rate-limit', '1000000000', '--log-level', 'warn'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(serve);
  const wrappedBase = await waitFor(serve, /serve: (http:\/\/[\d.:]+)/);
  const docPaths = docs.map((d) => ({ path: `/wrapped/${d.user}`, headers: { authorization: `Bearer ${tokens.get(d.user)}`, 'accept-encoding': 'gzip' } }));
  const cardPaths = withCards.map((d) => ({ path: `/wrapped/${d.user}/story.png`, headers: { authorization: `Bearer ${tokens.get(d.user)}` } }));
  // nginx over the same files.
  let nginxBase: string | null = null;
  const nginx = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (nginx) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    fs.mkdirSync(path.join(tmp, 'logs'));
    fs.writeFileSync(path.join(tmp, 'nginx.conf'), `worker_processes ${nginxWorkers};\ndaemon off;\npid ${tmp}/nginx.pid;\nerror_log ${tmp}/logs/error.log warn;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  sendfile on; tcp_nopush on;\n  types { application/json json; image/png png; }\n  client_body_temp_path ${tmp}/body; proxy_temp_path ${tmp}/proxy; fastcgi_temp_path ${tmp}/fcgi; uwsgi_temp_path ${tmp}/uwsgi; scgi_temp_path ${tmp}/scgi;\n  server {\n    listen 127.0.0.1:${port};\n    root ${yearDir};\n    gzip_static on;\n    etag on;\n  }\n}\n`);
    const ng = spawn(nginx, ['-c', path.join(tmp, 'nginx.conf'), '-p', tmp], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(ng);
    nginxBase = `http://127.0.0.1:${port}`;
    for (let k = 0; k < 50; k++) {
      try {
        await fetch(nginxBase + '/');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  const ngDocPaths = docs.map((d) => ({ path: `/user_id=${d.prefix}/${d.user}.json`, headers: { 'accept-encoding': 'gzip' } }));
  const ngCardPaths = withCards.map((d) => ({ path: `/user_id=${d.prefix}/${d.user}/story.png`, headers: {} }));

  // Check before timing: sampled bodies equal the files, from both servers.
  for (const d of docs.filter((_, k) => k % Math.max(1, Math.floor(docs.length / 25)) === 0)) {
    const file = fs.readFileSync(path.join(yearDir, `user_id=${d.prefix}`, `${d.user}.json`));
    for (const [base, p, h] of [[wrappedBase, `/wrapped/${d.user}`, { authorization: `Bearer ${tokens.get(d.user)}` }], ...(nginxBase ? [[nginxBase, `/user_id=${d.prefix}/${d.user}.json`, {}]] : [])] as Array<[string, string, Record<string, string>]>) {
      const r = await fetch(base + p, { headers: h });
      const body = Buffer.from(await r.arrayBuffer());
      if (r.status !== 200 || !(body.equals(file) || Buffer.from(gunzipSync(body)).equals(file))) throw new Error(`check failed: ${base}${p} → ${r.status}`);
    }
  }

  const results = [];
  results.push(await load('wrapped: document (gzip)', wrappedBase, docPaths));
  if (nginxBase) results.push(await load(`nginx (${nginxWorkers} worker): same .json.gz`, nginxBase, ngDocPaths));
  if (cardPaths.length) {
    results.push(await load('wrapped: story.png', wrappedBase, cardPaths));
    if (nginxBase) results.push(await load(`nginx (${nginxWorkers} worker): same story.png`, nginxBase, ngCardPaths));
  }
  const meta = { out: current, documents: docs.length, cards: withCards.length, connections, duration_s: duration, node: process.version, cpus: os.cpus().length, nginx: nginxBase ? 'yes' : 'not installed (apt-get install nginx-light)' };
  if (json) process.stdout.write(JSON.stringify({ benchmark: 'server', ...meta, results }, null, 2) + '\n');
  else {
    process.stdout.write('\nDocument server under load (loopback)\n');
    for (const [k, v] of Object.entries(meta)) process.stdout.write(`  ${k}: ${v}\n`);
    process.stdout.write(`  ${'scenario'.padEnd(36)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'errors'.padStart(7)} ${'non-2xx'.padStart(8)}\n`);
    for (const r of results) process.stdout.write(`  ${r.name.padEnd(36)} ${String(r.requests_per_s).padStart(8)} ${String(r.p50_ms).padStart(7)} ${String(r.p99_ms).padStart(7)} ${String(r.max_ms).padStart(7)} ${String(r.errors).padStart(7)} ${String(r.non2xx).padStart(8)}\n`);
    for (let k = 0; k + 1 < results.length; k += 2) process.stdout.write(`  ${results[k]!.name}: ${(results[k]!.requests_per_s / results[k + 1]!.requests_per_s).toFixed(2)}× nginx's requests/s\n`);
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
}
