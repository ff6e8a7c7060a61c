/**
 * The one registry of errors a user can see. Every error has a stable code, a
 * message template that states what was expected, what was found and where, an
 * HTTP status (for the server) and a process exit code (for the CLI).
 *
 * docs/errors.md documents each code; test/engine/errors/registry.test.ts checks
 * that the two agree. Internal invariants are not here: see ./invariant.ts.
 */

export interface ErrorDefinition<P> {
  /** HTTP status when the error reaches the server boundary. */
  readonly status: number;
  /** Process exit code when the error reaches the CLI boundary. */
  readonly exit: number;
  /** Builds the message from the parameters. */
  readonly message: (p: P) => string;
}

function def<P>(status: number, exit: number, message: (p: P) => string): ErrorDefinition<P> {
  return { status, exit, message };
}

/** Exit code for usage errors (unknown flag, bad value), as in most Unix tools. */
export const EXIT_USAGE = 2;

export const ERRORS = {
  ERR_CLI_UNKNOWN_COMMAND: def<{ command: string; known: readonly string[] }>(
    400, EXIT_USAGE,
    (p) => `unknown command '${p.command}': expected one of ${p.known.join(', ')}`),
  ERR_CLI_UNKNOWN_FLAG: def<{ command: string; flag: string }>(
    400, EXIT_USAGE,
    (p) => `wrapped ${p.command}: unknown flag '${p.flag}' (see 'wrapped ${p.command} --help')`),
  ERR_CLI_MISSING_VALUE: def<{ command: string; flag: string }>(
    400, EXIT_USAGE,
    (p) => `wrapped ${p.command}: flag --${p.flag} expects a value, found none`),
  ERR_CLI_BAD_VALUE: def<{ command: string; flag: string; expected: string; actual: string }>(
    400, EXIT_USAGE,
    (p) => `wrapped ${p.command}: --${p.flag} must be ${p.expected}, got '${p.actual}'`),
  ERR_CLI_MISSING_FLAG: def<{ command: string; flag: string }>(
    400, EXIT_USAGE,
    (p) => `wrapped ${p.command}: --${p.flag} is required (see 'wrapped ${p.command} --help')`),
  ERR_CLI_UNEXPECTED_ARGUMENT: def<{ command: string; argument: string }>(
    400, EXIT_USAGE,
    (p) => `wrapped ${p.command}: unexpected argument '${p.argument}' (flags start with --)`),
  ERR_PARQUET_READ: def<{ file: string; cause: string }>(
    500, 1,
    (p) => `cannot read Parquet file ${p.file}: expected a valid Parquet file, ${p.cause}`),
  ERR_PARQUET_WRITE: def<{ file: string; cause: string }>(
    500, 1,
    (p) => `cannot write Parquet file ${p.file}: ${p.cause}`),
  ERR_LAKE_MISSING_COLUMN: def<{ file: string; column: string; found: readonly string[] }>(
    500, 1,
    (p) => `${p.file}: expected column '${p.column}', found columns [${p.found.join(', ')}]`),
  ERR_LAKE_BAD_COLUMN_TYPE: def<{ file: string; column: string; expected: string; actual: string }>(
    500, 1,
    (p) => `${p.file}: column '${p.column}' must be ${p.expected}, found ${p.actual}`),
  ERR_LAKE_NOT_FOUND: def<{ lake: string; expected: string }>(
    500, 1,
    (p) => `${p.lake} is not a Wrapped lake: expected ${p.expected}`),
  ERR_OUTPUT_NOT_EMPTY: def<{ dir: string; found: string }>(
    500, 1,
    (p) => `${p.dir} already holds data (${p.found}); expected an empty or missing directory (pass --force to replace it)`),
  ERR_SMB_NOT_A_PARTITION: def<{ dir: string }>(
    500, 1,
    (p) => `${p.dir} is not a complete SMB partition: expected a metadata.json (written last, as the commit marker), found none`),
  ERR_SMB_BAD_METADATA: def<{ file: string; problem: string }>(
    500, 1,
    (p) => `${p.file}: invalid SMB metadata: ${p.problem}`),
  ERR_SMB_INCOMPATIBLE_METADATA: def<{ a: string; b: string; field: string; expected: string; actual: string }>(
    500, 1,
    (p) => `SMB sources cannot be merged: ${p.field} is ${p.expected} in ${p.a} but ${p.actual} in ${p.b}`),
  ERR_SMB_CORRUPT_BUCKET: def<{ file: string; problem: string }>(
    500, 1,
    (p) => `corrupt SMB bucket file ${p.file}: ${p.problem}`),
  ERR_CATALOG_SNAPSHOT_CORRUPT: def<{ file: string; problem: string; dir: string }>(
    500, 1,
    (p) => `corrupt catalog snapshot file ${p.file}: ${p.problem}; delete ${p.dir} and run wrapped bucket again to rewrite it`),
  ERR_SMB_BAD_OPTION: def<{ option: string; expected: string; actual: string }>(
    400, 2,
    (p) => `${p.option} must be ${p.expected}, got ${p.actual}`),
  ERR_V8_FLAG_NOT_SETTABLE: def<{ variable: string; flag: string }>(
    400, EXIT_USAGE,
    (p) => `$${p.variable}: '${p.flag}' is about the heap, its collectors or V8's threads, which V8 cannot change once the process is running; expected flags of its compiler (such as --max-inlined-bytecode-size-cumulative=N); give this one on the node command line instead (node ${p.flag} engine/cli/wrapped.mjs …)`),
  ERR_MMAP_UNAVAILABLE: def<{ reason: string }>(
    500, 1,
    (p) => `memory mapping was asked for (mapping: mmap) but the mmap addon is unavailable: ${p.reason}`),
  ERR_IO: def<{ op: string; path: string; cause: string }>(
    500, 1,
    (p) => `${p.op} ${p.path} failed: ${p.cause}`),
  ERR_STAGE_INPUT_INCOMPLETE: def<{ stage: string; input: string; dir: string }>(
    500, 1,
    (p) => `stage ${p.stage}: its input ${p.input} at ${p.dir} is not complete (no metadata.json); run the earlier stage first`),
  ERR_CATALOG_CHANGED: def<{ stage: string; lake: string; expected: string; actual: string }>(
    500, 1,
    (p) => `stage ${p.stage}: the catalog in ${p.lake} changed since the run pinned it (sha256 ${p.expected.slice(0, 12)}…, now ${p.actual.slice(0, 12)}…); start a new run`),
  ERR_STAGE_FAILED: def<{ stage: string; bucket: number; file: string; cause: string }>(
    500, 1,
    (p) => `stage ${p.stage} failed on bucket ${p.bucket} (${p.file}): ${p.cause}; nothing was published, run again to resume`),
  ERR_RUN_CHECK_FAILED: def<{ run: string; check: string; expected: string; actual: string }>(
    500, 1,
    (p) => `run ${p.run} not published: check '${p.check}' expected ${p.expected}, found ${p.actual}`),
  ERR_NO_PUBLISHED_RUN: def<{ out: string }>(
    500, 1,
    (p) => `${p.out} has no published run: expected ${p.out}/current (run 'wrapped run' first)`),
  ERR_BAD_USER_ID: def<{ value: string }>(
    400, 2,
    (p) => `user_id must be 32 lowercase hex characters, got '${p.value.slice(0, 64)}'`),
  ERR_BAD_REQUEST: def<{ problem: string }>(
    400, 2,
    (p) => `bad request: ${p.problem}`),
  ERR_UNAUTHORIZED: def<{ problem: string }>(
    401, 1,
    (p) => `authentication required: ${p.problem}`),
  ERR_FORBIDDEN: def<{ problem: string }>(
    403, 1,
    (p) => `forbidden: ${p.problem}`),
  ERR_NOT_FOUND: def<{ what: string }>(
    404, 1,
    (p) => `not found: ${p.what}`),
  ERR_NOT_LAUNCHED: def<{ region: string }>(
    403, 1,
    (p) => `Wrapped is not launched yet in region ${p.region}; an encrypted prefetch is available at /wrapped/:user_id/prefetch`),
  ERR_SHARE_EXPIRED: def<{ expired: string }>(
    410, 1,
    (p) => `this share link expired at ${p.expired}`),
  ERR_BODY_TOO_LARGE: def<{ limit: number }>(
    413, 1,
    (p) => `request body larger than ${p.limit} bytes`),
  ERR_RATE_LIMITED: def<{ limit: number; windowS: number }>(
    429, 1,
    (p) => `rate limit: more than ${p.limit} requests in ${p.windowS} s from this client`),
  ERR_INTERNAL: def<{ id: string }>(
    500, 1,
    (p) => `internal error (reference ${p.id}); details are in the server log`),
} as const;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorParams<C extends ErrorCode> = (typeof ERRORS)[C] extends ErrorDefinition<infer P> ? P : never;

/** An error from the registry: code, message, HTTP status and exit code. */
export class WrappedError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly status: number;
  readonly exit: number;
  readonly params: ErrorParams<C>;

  constructor(code: C, params: ErrorParams<C>, options?: { cause?: unknown }) {
    const d = ERRORS[code] as ErrorDefinition<ErrorParams<C>>;
    super(d.message(params), options);
    this.name = 'WrappedError';
    this.code = code;
    this.status = d.status;
    this.exit = d.exit;
    this.params = params;
  }
}

/** Builds a registry error. */
export function wrappedError<C extends ErrorCode>(code: C, params: ErrorParams<C>, cause?: unknown): WrappedError<C> {
  return new WrappedError(code, params, cause === undefined ? undefined : { cause });
}

/** A short, single-line description of any thrown value, for `cause` fields. */
export function describeCause(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return String(e).split('\n')[0] ?? 'unknown error';
}
