/** Types for the `tdigest` package (it ships none): only what engine/sketches uses. */
declare module 'tdigest' {
  export class TDigest {
    constructor(delta?: number | false, K?: number, CX?: number);
    n: number;
    push(x: number | number[], n?: number): void;
    compress(): void;
    size(): number;
    toArray(): Array<{ mean: number; n: number }>;
    percentile(p: number): number;
    p_rank(x: number): number | undefined;
  }
  const pkg: { TDigest: typeof TDigest };
  export default pkg;
}
