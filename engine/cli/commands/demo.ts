import * as fs from 'node:fs';
import * as path from 'node:path';
import { documentPath } from '../../../stages/package/document-path.ts';
import { DEFAULTS } from '../../../server/defaults.ts';
import type { Command } from '../command.ts';
import { formatCount, Progress } from '../progress.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'generate a small sample year, run the four stages with cards, publish and serve it',
  description: [
    'The newcomer command: generates a small seeded year into --dir, runs `wrapped run`',
    '(bucket, aggregate, enrich, rank, package, share cards) on 2025 and publishes it, then',
    'prints where to look: the run report, a sample document and a card; then serves it (with a',
    'token and a share link to try) until Ctrl-C.',
  ].join('\n'),
  flags: [
    { name: 'dir', kind: 'string', value: 'DIR', default: '.tmp/demo', help: 'working directory for the lake and outputs' },
    { name: 'users', kind: 'int', value: 'N', default: 500, min: 1, max: 100_000, help: 'number of users in the sample year' },
    { name: 'seed', kind: 'int', value: 'S', default: 2025, min: 0, help: 'random seed' },
    { name: 'min-listeners', kind: 'int', value: 'K', default: 30, min: 1, help: 'listeners an artist needs for rank statements (small on a small year)' },
    { name: 'serve', kind: 'bool', default: true, help: 'then serve it until Ctrl-C (--serve=false to stop after publishing)' },
    { name: 'port', kind: 'int', value: 'PORT', default: 8080, min: 0, max: 65535, help: 'port for the server' },
  ],
  async run(f, ctx) {
    // The generator, the pipeline and the server are loaded when the demo runs, not when the CLI starts.
    const [{ generateLake }, { runPipeline }, { buildServer, userToken }, { loadSecrets }] = await Promise.all([
      import('../../../fixtures/sample-year/generate.ts'), import('../../../stages/run/index.ts'), import('../../../server/app.ts'), import('../../../server/secrets.ts'),
    ]);
    const dir = path.resolve(String(f['dir']));
    const lake = path.join(dir, 'lake');
    const out = path.join(dir, 'out');
    ctx.err(`demo: generating ${f['users']} users into ${lake} …`);
    const t0 = performance.now();
    const m = await generateLake({ lake, users: f['users'] as number, seed: f['seed'] as number, years: [2025], force: true });
    ctx.out(`demo: wrote a sample lake with ${formatCount(m.play_rows)} plays of ${m.users} users (${m.files} Parquet files, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    // A fresh output each time: the lake was just regenerated.
    fs.rmSync(out, { recursive: true, force: true });
    const bars = new Map<string, Progress>();
    const r = await runPipeline({
      lake, out, year: 2025, cards: true, minListeners: f['min-listeners'] as number,
      log: (e) => e['event'] === 'stage_start' && ctx.err(`demo: ${String(e['stage'])} …`),
      onProgress: (stage, done, total, rows) => {
        let p = bars.get(stage);
        if (!p) bars.set(stage, (p = new Progress(stage, total, (s) => process.stderr.write(s), ctx.isTTY)));
        p.tick(1, rows);
      },
    });
    const c = (r.manifest as { counts: { users: number; eligible: number; documents: number; cards: number } }).counts;
    ctx.out(`demo: published ${c.documents} documents (${c.eligible} eligible) and ${c.cards} share cards in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const index = fs.readFileSync(path.join(out, 'current', 'wrapped', '2025', '_index.tsv'), 'utf8').split('\n').slice(1);
    const sample = index.find((l) => l.split('\t')[5] === '1')?.split('\t')[0];
    ctx.out(`  report:    ${path.join(r.runDir, 'report.html')}`);
    ctx.out(`  published: ${path.join(out, 'current')} → runs/${r.runId}`);
    if (sample) {
      const doc = path.join(out, 'current', documentPath(2025, sample));
      ctx.out(`  document:  ${doc}`);
      ctx.out(`  card:      ${path.join(path.dirname(doc), sample, 'story.png')}`);
    }
    if (!f['serve'] || !sample) {
      ctx.out(`  serve it:  npx wrapped serve --out ${out} --launched all`);
      return 0;
    }
    // Serve the publication, launched everywhere, with a token and a share link to try.
    const secrets = loadSecrets(out);
    const { app, store } = buildServer({ out, secrets, launched: 'all', shareTtlS: DEFAULTS.shareTtlS, rateLimit: DEFAULTS.rateLimit, rateWindowMs: DEFAULTS.rateWindowMs, bodyLimit: DEFAULTS.bodyLimit, logger: false });
    await store.warm();
    const base = await app.listen({ port: f['port'] as number, host: '127.0.0.1' });
    const token = userToken(secrets, sample, 24 * 3600);
    const share = await app.inject({ method: 'POST', url: `/wrapped/${sample}/share`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', host: new URL(base).host }, payload: '{"target":"copy_link"}' });
    ctx.out(`\ndemo: serving ${base} (Ctrl-C to stop)`);
    ctx.out(`  document:  curl -H 'Authorization: Bearer ${token}' ${base}/wrapped/${sample}`);
    ctx.out(`  share page (open in a browser): ${(JSON.parse(share.body) as { share_url: string }).share_url}`);
    ctx.out(`  API:       ${base}/openapi.json`);
    await new Promise<void>((resolve) => {
      const stop = () => void app.close().then(() => resolve());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
