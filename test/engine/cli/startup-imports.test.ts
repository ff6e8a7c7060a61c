import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The modules a file imports statically (not `import type`, not `import()`): relative paths resolved, packages by name. */
function staticImports(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)';/gms)) out.push(m[1]!);
  for (const m of src.matchAll(/^import\s+'([^']+)';/gm)) out.push(m[1]!);
  return out.map((s) => (s.startsWith('.') ? path.resolve(path.dirname(file), s) : s));
}

/** Every module reachable from `entry` through static imports. */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    if (f.startsWith('/') && f.endsWith('.ts')) todo.push(...staticImports(f));
  }
  return seen;
}

describe('the CLI at start', () => {
  it("loads no command's engine before it runs: no Arrow, Parquet, worker pool, server or card renderer", () => {
    const graph = staticGraph(path.join(root, 'engine/cli/main.ts'));
    // The walk does reach the commands (so an empty graph cannot pass).
    expect(graph.has(path.join(root, 'engine/cli/commands/bucket.ts'))).toBe(true);
    expect(graph.has(path.join(root, 'engine/cli/commands/serve.ts'))).toBe(true);
    const heavy = ['apache-arrow', 'parquet-wasm', 'piscina', 'fastify', 'pino', '@resvg/resvg-js', 'hash-wasm', 'fflate'];
    const loaded = [...graph].filter((m) => heavy.some((h) => m === h || m.startsWith(`${h}/`)));
    expect(loaded).toEqual([]);
  });
});
