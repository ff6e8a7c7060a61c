/**
 * Progress for long work: a live line on a terminal (stage, done/total,
 * rows/s, ETA), structured JSON lines otherwise (at most one per interval).
 */
export class Progress {
  private readonly started = performance.now();
  private lastEmit = 0;
  private done = 0;
  private rows = 0;

  constructor(
    private readonly stage: string,
    private readonly total: number,
    private readonly write: (line: string) => void,
    private readonly tty: boolean,
    private readonly intervalMs = 2000,
  ) {}

  /** Records `units` more units done and `rows` more rows processed. */
  tick(units: number, rows: number): void {
    this.done += units;
    this.rows += rows;
    const now = performance.now();
    const last = this.done >= this.total;
    if (!last && now - this.lastEmit < (this.tty ? 200 : this.intervalMs)) return;
    this.lastEmit = now;
    const secs = (now - this.started) / 1000;
    const rate = this.rows / Math.max(secs, 1e-9);
    const eta = this.done > 0 ? (secs * (this.total - this.done)) / this.done : NaN;
    if (this.tty) {
      const line = `${this.stage}: ${this.done}/${this.total} (${formatCount(this.rows)} rows, ${formatCount(rate)} rows/s, ETA ${Number.isFinite(eta) ? eta.toFixed(0) + ' s' : '?'})`;
      this.write(`\r\x1b[2K${line}${last ? '\n' : ''}`);
    } else {
      this.write(JSON.stringify({ event: 'progress', stage: this.stage, done: this.done, total: this.total, rows: this.rows, rows_per_s: Math.round(rate), eta_s: Number.isFinite(eta) ? Math.round(eta) : null }) + '\n');
    }
  }
}

/** 1234567 → "1.23M". */
export function formatCount(x: number): string {
  if (x >= 1e9) return (x / 1e9).toFixed(2) + 'G';
  if (x >= 1e6) return (x / 1e6).toFixed(2) + 'M';
  if (x >= 1e3) return (x / 1e3).toFixed(1) + 'k';
  return String(Math.round(x));
}
