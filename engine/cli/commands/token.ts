import * as path from 'node:path';
import { wrappedError } from '../../errors/registry.ts';
import type { Command } from '../command.ts';

export const tokenCommand: Command = {
  name: 'token',
  summary: 'print a signed user token (or the admin token) for testing the server',
  description: 'Prints a bearer token for <user_id>, signed with the server secret of --out (WRAPPED_SECRET, or <out>/.secrets).\nWith --admin, prints the admin token instead.',
  positional: 'user',
  flags: [
    { name: 'user', kind: 'string', value: 'USER_ID', help: 'the user (32 lowercase hex characters); may be given as the first argument' },
    { name: 'out', kind: 'string', value: 'DIR', required: true, help: 'output directory the server serves' },
    { name: 'ttl', kind: 'int', value: 'SECONDS', default: 3600, min: 1, help: 'how long the token is valid' },
    { name: 'admin', kind: 'bool', help: 'print the admin token' },
  ],
  async run(f, ctx) {
    const [{ userToken }, { loadSecrets }] = await Promise.all([import('../../../server/app.ts'), import('../../../server/secrets.ts')]);
    const secrets = loadSecrets(path.resolve(String(f['out'])));
    if (f['admin']) {
      ctx.out(secrets.adminToken);
      return 0;
    }
    const user = f['user'] as string | undefined;
    if (!user) throw wrappedError('ERR_CLI_MISSING_FLAG', { command: 'token', flag: 'user' });
    if (!/^[0-9a-f]{32}$/.test(user)) throw wrappedError('ERR_BAD_USER_ID', { value: user });
    ctx.out(userToken(secrets, user, f['ttl'] as number));
    return 0;
  },
};
