import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WrappedError, wrappedError, type ErrorCode, type ErrorParams } from '../engine/errors/registry.ts';

/** The JSON body of every error response: a code from the registry and its message, never a stack. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly status: number; readonly message: string };
}

export function sendError(reply: FastifyReply, e: WrappedError): FastifyReply {
  const body: ErrorBody = { error: { code: e.code, status: e.status, message: e.message } };
  return reply.code(e.status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
}

/** Throws a registry error from a route (the error handler turns it into JSON). */
export function fail<C extends ErrorCode>(code: C, params: ErrorParams<C>): never {
  throw wrappedError(code, params);
}

/**
 * Fastify's error handler: registry errors as they are; fastify's own client
 * errors (body too large, bad JSON, bad content type) as registry errors; anything
 * else as ERR_INTERNAL with a reference id, the details only in the log.
 */
export function errorHandler(err: Error & { statusCode?: number; code?: string }, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof WrappedError) return sendError(reply, err);
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, wrappedError('ERR_BODY_TOO_LARGE', { limit: req.routeOptions.bodyLimit ?? 0 }));
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return sendError(reply, wrappedError('ERR_BAD_REQUEST', { problem: err.message.split('\n')[0]!.slice(0, 200) }));
  }
  const id = randomUUID();
  req.log.error({ err, reference: id }, 'internal error');
  return sendError(reply, wrappedError('ERR_INTERNAL', { id }));
}
