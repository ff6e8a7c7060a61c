import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLake } from '../../../fixtures/sample-year/generate.ts';
import { runPipeline } from '../../../stages/run/index.ts';
import { listSmbPartitions } from '../../../engine/smb/smb-layout.ts';
import { documentPath } from '../../../stages/package/document-path.ts';
import { referenceDocuments, type RefDocument } from '../../reference/document-reference.ts';
import { referenceLake } from '../../reference/stage1-reference.ts';
import { tempDir, treeHashes } from '../../helpers/tmp.ts';

const YEAR = 2025;
const K = 20;
const BIN = path.resolve('engine/cli/wrapped.mjs');
const SPEC_KEYS = ['user_id', 'year', 'eligible', 'through', 'total_ms', 'total_minutes', 'plays', 'streams', 'unique_tracks', 'unique_artists',
  'top_tracks', 'top_artists', 'top_albums', 'top_genres', 'genre_count', 'monthly', 'hours', 'music_personality', 'listening_age',
  'global_rank_blurbs', 'early_fan_blurbs', 'vs_last_year', 'shareable_card_urls'];

const readDoc = (out: string, user: string) => JSON.parse(fs.readFileSync(path.join(out, 'current', documentPath(YEAR, user)), 'utf8')) as Record<string, unknown>;
const docsTree = (out: string) => treeHashes(path.join(fs.realpathSync(path.join(out, 'current')), 'wrapped'));

/** Runs `wrapped run` in a child process; with `killOn`, SIGKILLs it at the first JSON log event that matches. */
function runChild(args: string[], killOn?: (e: Record<string, unknown>) => boolean): Promise<{ code: number | null; killed: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '', killed = false, buf = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          if (!killed && killOn?.(JSON.parse(line) as Record<string, unknown>)) (killed = true), child.kill('SIGKILL');
        } catch { /* not JSON */ }
      }
    });
    child.stdout.resume();
    child.on('exit', (code) => resolve({ code, killed, stderr }));
  });
}

describe('wrapped run: the four stages, published', () => {
  const tmp = tempDir('run');
  const lake = path.join(tmp.dir, 'lake');
  const outA = path.join(tmp.dir, 'a');
  let ref: Map<string, RefDocument>;
  let users: string[];

  beforeAll(async () => {
    await generateLake({ lake, users: 300, seed: 31, years: [YEAR] });
    await runPipeline({ lake, out: outA, year: YEAR, buckets: 8, minListeners: K });
    const stage1 = referenceLake(lake, YEAR);
    ref = referenceDocuments(lake, YEAR, stage1, K);
    users = [...ref.keys()].sort();
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('publishes one document per user with a counted play, at the SPEC path', () => {
    expect(users.length).toBeGreaterThan(250);
    const index = fs.readFileSync(path.join(outA, 'current', 'wrapped', String(YEAR), '_index.tsv'), 'utf8').trim().split('\n').slice(1);
    expect(index.map((l) => l.split('\t')[0])).toEqual(users);
    expect(fs.readdirSync(path.join(outA, 'current', 'wrapped', String(YEAR))).filter((d) => d.startsWith('user_id=')).length).toBe(256);
    // The run report states stage 1's skew both ways (the thread clock builds here).
    const report = fs.readFileSync(path.join(outA, 'current', 'report.html'), 'utf8');
    expect(report).toMatch(/Largest task over the median: [\d.]+× in wall time, [\d.]+× in CPU time/);
    // The manifest gives the files bucketing wrote (every file of every partition) and their time.
    const manifest = JSON.parse(fs.readFileSync(path.join(outA, 'current', 'manifest.json'), 'utf8')) as { stages: Array<{ stage: string; files_written?: number; write_seconds?: number }> };
    const bucket = manifest.stages.find((s) => s.stage === 'bucket')!;
    const partitions = listSmbPartitions(path.join(outA, 'smb'));
    expect(partitions.length).toBeGreaterThan(300);
    expect(bucket.files_written).toBe(partitions.reduce((n, p) => n + fs.readdirSync(p.dir).length, 0));
    expect(bucket.write_seconds).toBeGreaterThan(0);
  });

  it('gives every SPEC §3 number, name and share of the reference, and its personality', () => {
    let eligible = 0;
    for (const u of users) {
      const doc = readDoc(outA, u);
      const r = ref.get(u)!;
      if (!r.eligible) {
        expect(doc).toEqual(r.fields);
        continue;
      }
      eligible++;
      const picked = Object.fromEntries(Object.keys(r.fields).map((k) => [k, doc[k]]));
      expect(picked, u).toEqual(r.fields);
      const p = doc['music_personality'] as { code: string; axes: Record<string, number>; audio_profile: { name: string } | null };
      expect(p.axes).toEqual(r.axes);
      expect(p.code).toBe(r.code);
      expect(p.audio_profile?.name ?? null).toBe(r.audio);
    }
    expect(eligible).toBeGreaterThan(200);
  });

  it('emits exactly the rank statements that are due: every claim true, none missing', () => {
    let statements = 0;
    const kinds = new Set<string>();
    for (const u of users) {
      const r = ref.get(u)!;
      if (!r.eligible) continue;
      const doc = readDoc(outA, u);
      const got = [...(doc['global_rank_blurbs'] as RefDocument['statements']), ...(doc['early_fan_blurbs'] as RefDocument['statements'])]
        .map((b) => ({ kind: b.kind, artist_id: b.artist_id, threshold_pct: b.threshold_pct }));
      expect(got, u).toEqual(r.statements);
      statements += got.length;
      for (const s of got) kinds.add(`${s.kind}:${s.threshold_pct}`);
    }
    expect(statements).toBeGreaterThan(100);
    expect(kinds.size).toBeGreaterThan(6);
  });

  it('writes documents in the contract\'s key order, with a gzip copy and a content hash', async () => {
    const { createHash } = await import('node:crypto');
    const index = fs.readFileSync(path.join(outA, 'current', 'wrapped', String(YEAR), '_index.tsv'), 'utf8').trim().split('\n').slice(1);
    for (const line of index.slice(0, 60)) {
      const [user, , sha, bytes, , eligible] = line.split('\t');
      const file = path.join(outA, 'current', documentPath(YEAR, user!));
      const raw = fs.readFileSync(file);
      expect(createHash('sha256').update(raw).digest('hex')).toBe(sha);
      expect(raw.length).toBe(Number(bytes));
      expect(Buffer.from(gunzipSync(fs.readFileSync(file + '.gz'))).equals(raw)).toBe(true);
      const doc = JSON.parse(raw.toString()) as Record<string, unknown>;
      if (eligible === '1') {
        expect(Object.keys(doc)).toEqual(SPEC_KEYS);
        expect((doc['monthly'] as unknown[]).length).toBe(12);
        expect((doc['hours'] as unknown[]).length).toBe(24);
        expect(doc['vs_last_year']).toBeNull();
      } else expect(Object.keys(doc)).toEqual(['user_id', 'year', 'eligible']);
    }
  });

  it('gives byte-identical documents on a rerun with other workers, sketch ranks and a year roll-up', async () => {
    const outB = path.join(tmp.dir, 'b');
    await runPipeline({ lake, out: outB, year: YEAR, buckets: 8, minListeners: K, workers: 1, ranks: 'sketch', rollup: true });
    expect(fs.readdirSync(path.join(outB, 'smb', 'rollups'))).toHaveLength(1);
    expect(docsTree(outB)).toEqual(docsTree(outA));
  }, 300_000);

  it('resumes after SIGKILL at several points and publishes byte-identical documents', async () => {
    const outC = path.join(tmp.dir, 'c');
    const args = ['--lake', lake, '--out', outC, '--year', String(YEAR), '--buckets', '8', '--min-listeners', String(K), '--rollup'];
    const points: Array<(e: Record<string, unknown>) => boolean> = [
      (e) => e['event'] === 'progress' && e['stage'] === 'bucket',
      (e) => e['event'] === 'progress' && e['stage'] === 'rollup',
      (e) => e['event'] === 'progress' && e['stage'] === 'aggregate',
      (e) => e['event'] === 'stage_start' && e['stage'] === 'rank',
      (e) => e['event'] === 'progress' && e['stage'] === 'package',
    ];
    for (const p of points) {
      const r = await runChild(args, p);
      expect(r.killed, r.stderr.slice(-2000)).toBe(true);
      expect(fs.existsSync(path.join(outC, 'current'))).toBe(false);
    }
    const last = await runChild(args);
    expect(last.code, last.stderr.slice(-2000)).toBe(0);
    expect(last.stderr).toContain('"resumed":true');
    expect(docsTree(outC)).toEqual(docsTree(outA));
  }, 300_000);

  it('publishes nothing when a check fails', async () => {
    const outD = path.join(tmp.dir, 'd');
    await expect(runPipeline({ lake, out: outD, year: YEAR, buckets: 8, minListeners: K, maxRejectRate: 0 })).rejects.toThrow(/ERR_RUN_CHECK_FAILED|not published: check 'malformed rows within bounds'/);
    expect(fs.existsSync(path.join(outD, 'current'))).toBe(false);
  }, 300_000);

  it('publishes nothing when an input file is corrupt, and names the file', async () => {
    const outF = path.join(tmp.dir, 'f');
    fs.cpSync(path.join(outA, 'smb'), path.join(outF, 'smb'), { recursive: true });
    const day = path.join(outF, 'smb', 'plays', 'year=2025', 'month=03', 'day=10');
    const victim = fs.readdirSync(day).filter((f) => /^bucket-.*\.arrow$/.test(f)).map((f) => path.join(day, f)).find((f) => fs.statSync(f).size > 1000)!;
    fs.truncateSync(victim, Math.floor(fs.statSync(victim).size / 2));
    await expect(runPipeline({ lake, out: outF, year: YEAR, buckets: 8, minListeners: K })).rejects.toThrow(new RegExp(`ERR_SMB_CORRUPT_BUCKET|corrupt SMB bucket file ${victim.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(fs.existsSync(path.join(outF, 'current'))).toBe(false);
  }, 300_000);

  it('makes a deterministic dry run on a sample of users, not published, with cards', async () => {
    const outE = path.join(tmp.dir, 'e');
    const r1 = await runPipeline({ lake, out: outE, year: YEAR, buckets: 8, minListeners: K, sample: 0.05, cards: true });
    expect(r1.published).toBe(false);
    expect(fs.existsSync(path.join(outE, 'current'))).toBe(false);
    const list = (dir: string) => fs.readFileSync(path.join(dir, 'wrapped', String(YEAR), '_index.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    const sampled = list(r1.runDir);
    expect(sampled.length).toBeGreaterThan(3);
    expect(sampled.length).toBeLessThan(40);
    for (const [u] of sampled) expect(users).toContain(u);
    const r2 = await runPipeline({ lake, out: path.join(tmp.dir, 'e2'), year: YEAR, buckets: 8, minListeners: K, sample: 0.05, cards: true });
    expect(treeHashes(path.join(r2.runDir, 'wrapped'))).toEqual(treeHashes(path.join(r1.runDir, 'wrapped')));
    for (const [u, , , , , eligible] of sampled) {
      if (eligible !== '1') continue;
      const dir = path.join(r1.runDir, path.dirname(documentPath(YEAR, u!)), u!);
      const png = fs.readFileSync(path.join(dir, 'story.png'));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1080, 1920]);
      const card = JSON.parse(fs.readFileSync(path.join(dir, 'story.json'), 'utf8')) as { user_id: string; top_artists: string[] };
      expect(card.user_id).toBe(u);
      const doc = JSON.parse(fs.readFileSync(path.join(r1.runDir, documentPath(YEAR, u!)), 'utf8')) as { top_artists: Array<{ name: string }>; shareable_card_urls: Record<string, string> };
      expect(card.top_artists).toEqual(doc.top_artists.slice(0, 5).map((a) => a.name));
      expect(doc.shareable_card_urls).toEqual({ story_png: `/wrapped/${u}/story.png`, story_json: `/wrapped/${u}/story.json` });
    }
  }, 300_000);
});
