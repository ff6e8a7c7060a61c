import { writeFileAtomic } from '../../engine/lake/atomic-file.ts';
import { taskCpuMs, type AggregateResult } from '../aggregate/index.ts';

export interface StageTiming {
  readonly stage: string;
  readonly seconds: number;
  readonly skipped: boolean;
  /** Rows (bucket, aggregate), users (enrich), values (rank) or documents (package). */
  readonly rows: number;
  readonly taskMs: readonly number[];
  readonly extra?: Record<string, number>;
}

/** The published estimate for the real run (SPEC §1's fleet), beside which the extrapolation is shown. */
export const REAL_RUN = { users: 600e6, plays: 3e12, vcpuHours: 100_000, aggregationVcpuHours: 50_000 } as const;

export interface CostModel {
  readonly vcpuSecondsPerPlay: number;
  readonly cardVcpuSecondsPerCard: number | null;
  readonly pipelineVcpuHours: number;
  readonly cardVcpuHours: number | null;
  readonly totalVcpuHours: number;
}

/**
 * Scales the measured cost to the real run: vCPU-seconds = wall seconds × vCPUs
 * used (the pool's workers; the coordinator shares those cores), per stored
 * play for the stages, per card for rendering (cards scale with users).
 */
export function costModel(timings: readonly StageTiming[], plays: number, vcpus: number, eligibleShare: number): CostModel {
  const cardSeconds = timings.find((t) => t.stage === 'package')?.extra?.['card_seconds'] ?? 0;
  const cards = timings.find((t) => t.stage === 'package')?.extra?.['cards'] ?? 0;
  const stageSeconds = timings.reduce((s, t) => s + t.seconds, 0) - cardSeconds;
  const perPlay = (stageSeconds * vcpus) / Math.max(1, plays);
  const perCard = cards > 0 ? (cardSeconds * vcpus) / cards : null;
  const pipeline = (perPlay * REAL_RUN.plays) / 3600;
  const card = perCard === null ? null : (perCard * REAL_RUN.users * eligibleShare) / 3600;
  return { vcpuSecondsPerPlay: perPlay, cardVcpuSecondsPerCard: perCard, pipelineVcpuHours: pipeline, cardVcpuHours: card, totalVcpuHours: pipeline + (card ?? 0) };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d }) : '–');

/** Median, 90th percentile and maximum of some task times (unsorted). */
export function quantiles(xs: readonly number[]): { median: number; p90: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)] ?? 0, p90: s[Math.floor(s.length * 0.9)] ?? 0, max: s[s.length - 1] ?? 0 };
}

/** A small SVG histogram of task times (the skew picture). */
function histogram(ms: readonly number[]): string {
  if (ms.length === 0) return '<p>no tasks ran in this invocation</p>';
  const max = Math.max(...ms), bins = 24, counts = new Array<number>(bins).fill(0);
  for (const x of ms) counts[Math.min(bins - 1, Math.floor((x / (max || 1)) * bins))]!++;
  const top = Math.max(...counts);
  const bars = counts.map((c, i) => `<rect x="${i * 20}" y="${100 - (c / top) * 100}" width="18" height="${(c / top) * 100}" fill="#1db954"><title>${c} tasks ≤ ${fmt(((i + 1) * max) / bins, 0)} ms</title></rect>`).join('');
  return `<svg width="480" height="120" viewBox="0 0 480 120">${bars}<text x="0" y="116" font-size="10">0 ms</text><text x="440" y="116" font-size="10">${fmt(max, 0)} ms</text></svg>`;
}

export function writeRunReport(file: string, manifest: Record<string, unknown>, timings: readonly StageTiming[], aggregate: AggregateResult | null): void {
  const counts = manifest['counts'] as { stored_rows: number; users: number; eligible: number; documents: number; cards: number };
  const config = manifest['config'] as { workers: number };
  const cost = costModel(timings, counts.stored_rows, config.workers, counts.eligible / Math.max(1, counts.users));
  const resumed = timings.some((t) => t.skipped);
  const rows = timings.map((t) => {
    const q = quantiles(t.taskMs);
    return `<tr><td>${t.stage}</td><td>${t.skipped ? 'done earlier' : fmt(t.seconds, 2) + ' s'}</td><td>${fmt(t.rows, 0)}</td><td>${t.skipped || t.seconds === 0 ? '–' : fmt(t.rows / t.seconds, 0)}</td><td>${t.taskMs.length}</td><td>${fmt(q.median, 1)} / ${fmt(q.p90, 1)} / ${fmt(q.max, 1)}</td><td>${q.median > 0 ? fmt(q.max / q.median, 2) + '×' : '–'}</td></tr>`;
  }).join('\n');
  const aggTasks = aggregate ? aggregate.tasks.map((t) => t.ms) : [];
  const aggCpu = (aggregate && taskCpuMs(aggregate.tasks)) ?? [];
  const wallQ = quantiles(aggTasks), cpuQ = quantiles(aggCpu);
  const skewNote = aggCpu.length === 0 ? '' : `<p>Largest task over the median: ${fmt(wallQ.max / (wallQ.median || 1), 2)}× in wall time, ${fmt(cpuQ.max / (cpuQ.median || 1), 2)}× in CPU time (median ${fmt(cpuQ.median, 1)} ms, max ${fmt(cpuQ.max, 1)} ms). CPU time is the task's work; wall time adds waiting for a core, which workers and the coordinator share.</p>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Wrapped run ${esc(String(manifest['run_id']))}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#191414}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:right}td:first-child,th:first-child{text-align:left}h1{font-size:1.6em}.note{color:#666}</style></head>
<body>
<h1>Wrapped ${esc(String(manifest['year']))} — run ${esc(String(manifest['run_id']))}</h1>
<p>${fmt(counts.stored_rows, 0)} stored plays → ${fmt(counts.users, 0)} users, ${fmt(counts.eligible, 0)} eligible, ${fmt(counts.documents, 0)} documents, ${fmt(counts.cards, 0)} cards. Workers: ${config.workers}. Peak RSS: ${fmt(Number(manifest['peak_rss_bytes']) / 2 ** 20, 0)} MiB.</p>
${resumed ? '<p class="note">This invocation resumed an interrupted run: stages marked "done earlier" were not timed again.</p>' : ''}
<h2>Stages</h2>
<table><tr><th>stage</th><th>time</th><th>rows</th><th>rows/s</th><th>tasks</th><th>task ms median / p90 / max</th><th>max / median</th></tr>
${rows}
</table>
<h2>Skew: stage-1 task times</h2>
${histogram(aggTasks)}
${skewNote}
<h2>Rejected and skipped rows</h2>
<pre>${esc(JSON.stringify({ rejected_malformed: manifest['rejects_by_reason'], skipped_by_rule: manifest['skips_by_reason'] }, null, 2))}</pre>
<h2>Cost extrapolation</h2>
<p>Measured: ${cost.vcpuSecondsPerPlay.toExponential(2)} vCPU-s per play for the stages${cost.cardVcpuSecondsPerCard !== null ? `, ${fmt(cost.cardVcpuSecondsPerCard * 1000, 1)} vCPU-ms per card` : ''}.</p>
<table><tr><th>scaled to ${fmt(REAL_RUN.users / 1e6, 0)} M users / ${fmt(REAL_RUN.plays / 1e12, 0)} T plays</th><th>vCPU-hours</th><th>published estimate</th></tr>
<tr><td>stages (bucket → package)</td><td>${fmt(cost.pipelineVcpuHours, 0)}</td><td>~${fmt(REAL_RUN.aggregationVcpuHours, 0)} (aggregation)</td></tr>
<tr><td>share cards</td><td>${cost.cardVcpuHours === null ? 'not rendered' : fmt(cost.cardVcpuHours, 0)}</td><td></td></tr>
<tr><td>total</td><td>${fmt(cost.totalVcpuHours, 0)}</td><td>~${fmt(REAL_RUN.vcpuHours, 0)}</td></tr></table>
<p class="note">A linear extrapolation from one host's sample year: per-play cost assumes the same catalog size and per-user work; real data are larger per user and catalogs larger, so treat this as an order of magnitude.</p>
<h2>Manifest</h2>
<pre>${esc(JSON.stringify(manifest, null, 2))}</pre>
</body></html>
`;
  writeFileAtomic(file, html);
}
