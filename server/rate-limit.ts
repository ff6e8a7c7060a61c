/**
 * Requests per client in fixed windows: simple, O(1) per request, and enough to
 * stop one client from hogging a host. Old windows are dropped as time passes.
 */
export class RateLimiter {
  private window = 0;
  private counts = new Map<string, number>();

  constructor(readonly limit: number, readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** True when the client may proceed. */
  take(client: string): boolean {
    const w = Math.floor(this.now() / this.windowMs);
    if (w !== this.window) {
      this.window = w;
      this.counts = new Map();
    }
    const n = (this.counts.get(client) ?? 0) + 1;
    this.counts.set(client, n);
    return n <= this.limit;
  }
}
