import { z } from 'zod';

/** Where users' publishing connections live in SSM: `<prefix>/users/<userId>/<type>/<name>` (SecureString). */
export const connectionsConfig = {
  CONNECTIONS_PARAMETER_PREFIX: z.string().regex(/^\/[A-Za-z0-9_.\-/]+[^/]$/),
};
