import * as path from 'node:path';
import { DEFAULTS } from '../../../server/defaults.ts';
import { checkLaunchSpec } from '../../../server/launch-flags.ts';
import type { Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the published documents over HTTP',
  description: [
    'Serves <out>/current (SPEC §5): GET /wrapped/:user_id (owner token; gzip; ETag/304),',
    '/wrapped/:user_id/story.png|story.json, POST /wrapped/:user_id/share, public share pages',
    '/s/:token, the encrypted prefetch before launch, and per-region launch flags flipped by',
    'PUT /admin/launch/:region. API: GET /openapi.json. Secrets come from WRAPPED_SECRET and',
    'WRAPPED_ADMIN_TOKEN, or are generated into <out>/.secrets/ on first start.',
    'Before listening it warms up: every document and gzip copy is read once.',
    'A new publish of <out>/current is picked up within a second, without a restart.',
  ].join('\n'),
  flags: [
    { name: 'out', kind: 'string', value: 'DIR', required: true, help: 'output directory of `wrapped run` (serves its current/)' },
    { name: 'port', kind: 'int', value: 'PORT', default: 8080, min: 0, max: 65535, help: 'TCP port (0: any free port)' },
    { name: 'host', kind: 'string', value: 'ADDR', default: '127.0.0.1', help: 'address to listen on' },
    { name: 'launched', kind: 'string', value: 'all|none|R,R', default: 'none', check: (v) => checkLaunchSpec(String(v)), help: 'regions launched at start (documents readable in the clear)' },
    { name: 'rate-limit', kind: 'int', value: 'N', default: DEFAULTS.rateLimit, min: 1, help: 'requests per client per minute' },
    { name: 'share-ttl-hours', kind: 'number', value: 'H', default: DEFAULTS.shareTtlS / 3600, min: 0.001, help: 'how long share links live' },
    { name: 'warm', kind: 'bool', default: true, help: 'read every document once before listening (--warm=false to skip)' },
    { name: 'log-level', kind: 'string', value: 'LEVEL', default: 'info', check: (v) => (['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(String(v)) ? null : 'fatal, error, warn, info, debug or silent'), help: 'pino log level (JSON logs on stdout; tokens are never logged)' },
  ],
  async run(f, ctx) {
    // The server is loaded when the command runs, not when the CLI starts.
    const [{ buildServer }, { loadSecrets }] = await Promise.all([import('../../../server/app.ts'), import('../../../server/secrets.ts')]);
    const out = path.resolve(String(f['out']));
    const secrets = loadSecrets(out);
    const { app, store, flags } = buildServer({
      out, secrets, launched: String(f['launched']), shareTtlS: Math.round((f['share-ttl-hours'] as number) * 3600),
      rateLimit: f['rate-limit'] as number, rateWindowMs: 60_000, bodyLimit: DEFAULTS.bodyLimit, logger: { level: String(f['log-level']) },
    });
    const years = store.years();
    if (f['warm']) {
      const t0 = performance.now();
      const w = await store.warm();
      ctx.err(`serve: warmed ${w.files} files (${(w.bytes / 2 ** 20).toFixed(1)} MiB, ${(w.held / 2 ** 20).toFixed(1)} MiB held in memory) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const address = await app.listen({ port: f['port'] as number, host: String(f['host']) });
    ctx.err(`serve: ${address} — years ${years.join(', ')}; launched: ${JSON.stringify(flags.describe())}; secrets from ${secrets.sources.secret === 'env' ? 'WRAPPED_SECRET' : path.join(out, '.secrets')}`);
    ctx.err(`serve: a token for testing: npx wrapped token <user_id> --out ${out}; launch: PUT /admin/launch/all with the admin token`);
    await new Promise<void>((resolve) => {
      const stop = () => void app.close().then(() => resolve());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
