import type { JobSpec } from '@reelay/events';
import { HttpProblemError } from '@reelay/lambda';

export type ConnectionCheck = (userId: string, type: 'youtube', name: string) => Promise<boolean>;

/**
 * Submit refuses (400) a `publish` destination naming a connection the user has not stored: found at
 * submit time, not minutes later as a PublishFailed once the video is made. A connection deleted after
 * submit still ends as PublishFailed 'auth' (publish-to-youtube).
 */
export async function checkPublishConnections(
  userId: string,
  spec: Pick<JobSpec, 'publish'>,
  connectionExists: ConnectionCheck | undefined,
): Promise<void> {
  if (!spec.publish?.length) return;
  if (!connectionExists) {
    throw new HttpProblemError({
      status: 503,
      title: 'Publishing unavailable',
      detail: 'this deployment cannot check publishing connections',
    });
  }
  const missing: { path: string; message: string }[] = [];
  for (const [index, destination] of (spec.publish ?? []).entries()) {
    if (destination.type !== 'youtube') continue;
    if (!(await connectionExists(userId, 'youtube', destination.connection))) {
      missing.push({
        path: `publish.${index}.connection`,
        message: `you have no youtube connection named '${destination.connection}' (PUT /connections/youtube/${destination.connection})`,
      });
    }
  }
  if (missing.length === 0) return;
  throw new HttpProblemError({
    status: 400,
    title: 'Invalid job spec',
    detail: missing.map((entry) => `${entry.path}: ${entry.message}`).join('; '),
    errors: missing,
  });
}
