/** Package one bucket: stage 2's and stage 3's lines → documents, .json.gz and an index part. */
export interface PackageTask {
  readonly runDir: string;
  readonly enrichFile: string;
  readonly rankFile: string;
  readonly indexFile: string;
  readonly year: number;
  readonly cards: boolean;
}

export interface PackageResult {
  readonly documents: number;
  readonly eligible: number;
  readonly bytes: number;
  readonly gzBytes: number;
  readonly ms: number;
}

/** Render one bucket's cards from its published documents (eligible users). */
export interface CardTask {
  readonly runDir: string;
  readonly indexFile: string;
  readonly year: number;
  /** Genre name → catalog hue (the card's colours). */
  readonly genreHues: Readonly<Record<string, number>>;
}

export interface CardResult {
  readonly cards: number;
  readonly pngBytes: number;
  readonly ms: number;
}
