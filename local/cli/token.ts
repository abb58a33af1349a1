/** `npm run token -- <userId>`: prints a dev token for that user, valid against any local cloud on this machine. */
import { DevIssuer } from '../cloud/src/dev-issuer';

const userId = process.argv[2];
if (!userId || !/^[A-Za-z0-9_\-:.@]{1,128}$/.test(userId)) {
  process.stderr.write('usage: npm run token -- <userId>   (letters, digits and _-:.@, at most 128)\n');
  process.exit(2);
}
process.stdout.write(`${DevIssuer.loadOrCreate().token(userId)}\n`);
