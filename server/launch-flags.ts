/**
 * The per-region launch flag: which regions may read documents in the clear.
 * Set at start (`--launched all|none|EU,NA`), flipped at run time by the admin
 * route without a restart.
 */
export class LaunchFlags {
  private all: boolean;
  private readonly regions = new Set<string>();

  constructor(spec: string) {
    this.all = spec === 'all';
    if (spec !== 'all' && spec !== 'none') for (const r of spec.split(',').map((x) => x.trim()).filter(Boolean)) this.regions.add(r);
  }

  isLaunched(region: string): boolean {
    return this.all || this.regions.has(region);
  }

  set(region: string, launched: boolean): void {
    if (region === 'all') {
      this.all = launched;
      if (!launched) this.regions.clear();
      return;
    }
    if (launched) this.regions.add(region);
    else {
      this.regions.delete(region);
      this.all = false;
    }
  }

  describe(): { all: boolean; regions: string[] } {
    return { all: this.all, regions: [...this.regions].sort() };
  }
}

/** Checks a --launched value: all, none, or region codes. */
export function checkLaunchSpec(v: string): string | null {
  return v === 'all' || v === 'none' || /^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$/.test(v) ? null : 'all, none, or a comma-separated list of regions (e.g. EU,NA)';
}
