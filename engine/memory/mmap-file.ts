import { fileURLToPath } from 'node:url';
import { loadAddon, type AddonSpec, type Loaded } from '../native/native-addon.ts';

/**
 * Files as SharedArrayBuffers over the page cache (no copy), through a small
 * node-gyp addon (engine/memory/mmap/mmap.cc). Node has no such API and N-API
 * cannot create a SharedArrayBuffer, hence V8's `NewBackingStore` with a
 * deleter that unmaps. Mappings are read-only: never write through a view.
 *
 * The addon is built on first use (engine/native/native-addon.ts). When it
 * cannot be built or loaded, `mmapAddon()` returns null and callers fall back
 * to reading files into reused SharedArrayBuffers (sab-pool.ts).
 * WRAPPED_NO_MMAP=1 (or WRAPPED_NO_NATIVE=1) forces the fallback.
 *
 * Measured (native-bench/mapping.bench.ts): on one small file per (day, bucket),
 * ~26 KB each, mapping ran at 0.82x reading — per-file mmap and page faults cost
 * more than the copy — so stage 1's `auto` reads files smaller than
 * MMAP_MIN_FILE_BYTES on average (stages/aggregate/index.ts).
 */
export interface MmapAddon {
  mapFile(file: string): SharedArrayBuffer;
  /** Mappings not yet released by the garbage collector. */
  liveMappings(): number;
}

/**
 * Keep live mappings well under the kernel's per-process limit (vm.max_map_count,
 * 65,530 by default), which V8 itself also needs: past this, map by reading instead.
 */
export const MAX_LIVE_MAPPINGS = 20_000;

const SPEC: AddonSpec = { dir: fileURLToPath(new URL('./mmap/', import.meta.url)), target: 'wrapped_mmap', version: 2, sources: ['mmap.cc'], disableEnv: 'WRAPPED_NO_MMAP' };
let cached: Loaded<MmapAddon> | null = null;

/** The addon, built if needed; null (with the reason in `mmapUnavailableReason()`) when it cannot be had. */
export function mmapAddon(): MmapAddon | null {
  return (cached ??= loadAddon<MmapAddon>(SPEC)).addon;
}

export function mmapUnavailableReason(): string {
  return cached?.why ?? 'not tried yet';
}
