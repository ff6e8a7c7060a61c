/**
 * DuckDB as an anchor for benchmarks. Not a package.json dependency: its npm
 * package pulls per-platform binaries, and this registry serves only the
 * linux-x64 one, so `npm ci` could not lock it. The benchmark installs it on
 * demand into native-bench/.deps (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DEPS = fileURLToPath(new URL('./.deps/', import.meta.url));
export const DUCKDB_VERSION = '1.5.6-r.1';

interface DuckConnection {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<{ getRowObjects(): Array<Record<string, unknown>> }>;
}

export async function duckdb(threads: number): Promise<DuckConnection> {
  const entry = path.join(DEPS, 'node_modules', '@duckdb', 'node-api');
  if (!fs.existsSync(entry)) {
    fs.mkdirSync(DEPS, { recursive: true });
    fs.writeFileSync(path.join(DEPS, 'package.json'), '{ "private": true }\n');
    // npm's report goes to stderr: stdout may be `wrapped bench --json`'s JSON (and is, under --compare).
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', DEPS, `@duckdb/node-api@${DUCKDB_VERSION}`], { stdio: ['ignore', 2, 2] });
  }
  const api = (await import(pathToFileURL(path.join(entry, 'lib', 'index.js')).href)) as {
    DuckDBInstance: { create(p: string, o: Record<string, string>): Promise<{ connect(): Promise<DuckConnection> }> };
  };
  const db = await api.DuckDBInstance.create(':memory:', { threads: String(threads) });
  return db.connect();
}
