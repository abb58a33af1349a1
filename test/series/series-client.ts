import type { EmbeddedCloud } from '../../local/cloud/src/embedded-cloud';

/** One episode as `GET /series/{id}/episodes` shows it. */
export interface Episode {
  itemId: string;
  status: string;
  jobId?: string;
  day?: string;
  failure?: string;
  published: Array<{ destination: string; url?: string; failure?: string; at: string }>;
}

export const ended = (e: Episode) => e.status === 'COMPLETED' || e.status === 'FAILED';

/**
 * The series routes as a user calls them, over the embedded cloud's HTTP API with a dev token, and a
 * poll that waits for the episodes to reach a state (each poll is a real API call; jobs take seconds).
 */
export function seriesClient(cloud: EmbeddedCloud, userId: string, recentLogs: () => string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${cloud.endpoints.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${cloud.token(userId)}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: response.status,
      body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
    };
  };
  const episodes = async (seriesId: string) =>
    (await call('GET', `/series/${seriesId}/episodes`)).body.episodes as Episode[];
  const until = async (
    what: string,
    seriesId: string,
    done: (e: Episode[]) => boolean,
    timeoutMs = 400_000,
  ): Promise<Episode[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await episodes(seriesId);
      if (done(current)) return current;
      if (Date.now() > deadline)
        throw new Error(`${what}: episodes ${JSON.stringify(current)}\n${recentLogs()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  return { call, episodes, until };
}
