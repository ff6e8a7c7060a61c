/**
 * The node options a pool worker starts with: the parent's (what Node's
 * workers inherit by default), less any preload of tsx.
 *
 * Workers run compiled bundles (worker-bundle.ts) and register tsx themselves
 * when handed a TypeScript module (ts-worker.mjs), so they never need the
 * parent's `--import tsx`. Inherited, it made every worker load tsx and start
 * its loader: a pool of two took 204–230 ms instead of 88–105 ms to be ready,
 * and ~250 ms more CPU (docs/benchmarks.md, session 12). The CLI never had it
 * (it registers tsx in code); the benchmarks run as `node --import tsx …` did,
 * so their pools paid a start-up that users' runs do not.
 *
 * Null when there is nothing to take out: the workers then inherit the
 * parent's options as Node does by default. Given explicitly, Node checks the
 * list and refuses options a worker cannot have (V8's, and process-wide ones
 * such as --max-old-space-size, which hold for the workers anyway); the pool
 * then falls back to inheriting (worker-pool.ts).
 */

/** Options whose value is a module loaded before the entry point. */
const PRELOADS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/** tsx or one of its entry points, by name, path or file URL. */
const TSX = /^(?:tsx(?:\/.*)?|.*[\\/]node_modules[\\/]tsx[\\/].*)$/;

export function workerExecArgv(execArgv: readonly string[]): string[] | null {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    const eq = a.indexOf('=');
    if (eq > 0 && PRELOADS.has(a.slice(0, eq)) && TSX.test(a.slice(eq + 1))) continue;
    if (PRELOADS.has(a) && i + 1 < execArgv.length && TSX.test(execArgv[i + 1]!)) {
      i++;
      continue;
    }
    out.push(a);
  }
  return out.length === execArgv.length ? null : out;
}
