/** A benchmark's result rows: a table for people, JSON for machines. */
export interface BenchRow {
  readonly name: string;
  readonly rows: number;
  readonly seconds: number;
  /** Free-form note (what the row is a baseline for, ratios). */
  readonly note?: string;
}

export function rate(r: BenchRow): number {
  return r.rows / r.seconds;
}

export function printReport(title: string, rows: readonly BenchRow[], json: boolean, meta: Record<string, unknown> = {}): void {
  if (json) {
    process.stdout.write(JSON.stringify({ benchmark: title, ...meta, results: rows.map((r) => ({ ...r, rows_per_s: Math.round(rate(r)) })) }, null, 2) + '\n');
    return;
  }
  const w = Math.max(...rows.map((r) => r.name.length), 10);
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of Object.entries(meta)) process.stdout.write(`  ${k}: ${String(v)}\n`);
  process.stdout.write(`  ${'benchmark'.padEnd(w)}  ${'rows'.padStart(12)}  ${'seconds'.padStart(8)}  ${'rows/s'.padStart(12)}  note\n`);
  for (const r of rows) {
    process.stdout.write(`  ${r.name.padEnd(w)}  ${String(r.rows).padStart(12)}  ${r.seconds.toFixed(2).padStart(8)}  ${Math.round(rate(r)).toLocaleString('en-US').padStart(12)}  ${r.note ?? ''}\n`);
  }
}

/** Parses `--name value` pairs for a benchmark script. */
export function benchArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out.set(a.slice(2), 'true');
    else out.set(a.slice(2), argv[++i]!);
  }
  return out;
}
