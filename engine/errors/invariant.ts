/**
 * Internal invariants: conditions the code itself guarantees. A failure is a bug
 * in Wrapped, not bad input, so it is not in the user-facing error registry.
 */
export class InvariantError extends Error {
  constructor(message: string) {
    super(`internal invariant violated: ${message}`);
    this.name = 'InvariantError';
  }
}

export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new InvariantError(typeof message === 'string' ? message : message());
}
