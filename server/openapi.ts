/** The server's API (SPEC §5) as OpenAPI 3.1, served at GET /openapi.json. */
const err = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const userId = { name: 'user_id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } };
const year = { name: 'year', in: 'query', required: false, schema: { type: 'integer' }, description: 'a published year (default: the latest)' };
const bearer = [{ bearer: [] }];

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'Wrapped document server', version: '1.0.0', description: 'Immutable per-user Wrapped documents, share cards, signed share links and per-region launch.' },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a user token (wrapped token <user_id>) or, for /admin, the admin token' } },
    schemas: {
      Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'status', 'message'], properties: { code: { type: 'string' }, status: { type: 'integer' }, message: { type: 'string' } } } } },
    },
  },
  paths: {
    '/wrapped/{user_id}': { get: { summary: 'The user\'s document (owner only; gzip when accepted; strong ETag, 304 on If-None-Match)', security: bearer, parameters: [userId, year], responses: { 200: { description: 'the document (SPEC §5)' }, 304: { description: 'not modified' }, 400: err, 401: err, 403: err, 404: err, 429: err } } },
    '/wrapped/{user_id}/story.png': { get: { summary: 'The share card image (owner only)', security: bearer, parameters: [userId, year], responses: { 200: { description: 'PNG 1080×1920' }, 304: { description: 'not modified' }, 401: err, 403: err, 404: err } } },
    '/wrapped/{user_id}/story.json': { get: { summary: 'The share card content (owner only)', security: bearer, parameters: [userId, year], responses: { 200: { description: 'card JSON' }, 401: err, 403: err, 404: err } } },
    '/wrapped/{user_id}/prefetch': { get: { summary: 'The document encrypted with the region\'s launch key (AES-256-GCM), available before launch', security: bearer, parameters: [userId, year], responses: { 200: { description: '{ alg, region, iv, ciphertext, tag } (base64)' }, 401: err, 403: err, 404: err } } },
    '/wrapped/{user_id}/share': { post: { summary: 'Create a signed, expiring share link to the card', security: bearer, parameters: [userId], requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['target'], properties: { target: { type: 'string' } } } } } }, responses: { 200: { description: '{ share_url, expires_at }' }, 400: err, 401: err, 403: err, 404: err, 413: err } } },
    '/launch/keys/{region}': { get: { summary: 'A region\'s prefetch key, released at launch', parameters: [{ name: 'region', in: 'path', required: true, schema: { type: 'string' } }, year], responses: { 200: { description: '{ region, year, key } (base64)' }, 403: err } } },
    '/s/{token}': { get: { summary: 'Public share page: the card and its headline numbers', parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'HTML' }, 401: err, 403: err, 410: err } } },
    '/s/{token}/story.png': { get: { summary: 'Public share card image', parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'PNG' }, 401: err, 410: err } } },
    '/admin/launch': { get: { summary: 'Launch state', security: bearer, responses: { 200: { description: '{ all, regions }' }, 401: err } } },
    '/admin/launch/{region}': { put: { summary: 'Launch (or un-launch) a region, or all', security: bearer, parameters: [{ name: 'region', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['launched'], properties: { launched: { type: 'boolean' } } } } } }, responses: { 200: { description: '{ all, regions }' }, 400: err, 401: err } } },
    '/healthz': { get: { summary: 'Liveness and the publication served', responses: { 200: { description: '{ ok, years }' } } } },
  },
} as const;
