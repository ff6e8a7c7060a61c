// The server's defaults, in a module of their own so that the CLI's help shows them without loading the server.
export const DEFAULTS = { shareTtlS: 7 * 86_400, rateLimit: 600, rateWindowMs: 60_000, bodyLimit: 1024 } as const;
