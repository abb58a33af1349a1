import { type JobFailed, makeSceneReady } from '@reelay/events';
import { failJobOrRethrow } from '@reelay/lambda';
import { FfmpegAbortedError, MediaRejectedError } from '@reelay/media';
import { SceneCountMismatchError } from '../../../src/errors';

function recordingPublisher() {
  const published: JobFailed[] = [];
  return {
    published,
    publish: async (_definition: unknown, detail: unknown) => {
      published.push(detail as JobFailed);
    },
  };
}

describe('failing a job from the composer', () => {
  const scene = makeSceneReady({ sceneIndex: 2, sceneCount: 3 });
  const context = { jobId: scene.jobId, meta: scene.meta, stage: 'prepare' as const, sceneIndex: 2 };

  it.each([
    [new MediaRejectedError('the file is an HLS/M3U playlist'), 'MEDIA_REJECTED'],
    [new SceneCountMismatchError('scene 2 says 3 scenes, but the job has 2'), 'SCENE_COUNT_MISMATCH'],
  ])('publishes a permanent failure as JobFailed with its reason (%s)', async (error, code) => {
    // Prepare
    const publisher = recordingPublisher();
    // Act
    await failJobOrRethrow(error, context, publisher);
    // Assess
    expect(publisher.published).toEqual([
      expect.objectContaining({
        jobId: scene.jobId,
        stage: 'prepare',
        code,
        retryable: false,
        sceneIndex: 2,
      }),
    ]);
    expect(publisher.published[0]?.reason).toContain(error.message);
  });

  it('throws a retryable failure again so the queue retries it, publishing nothing', async () => {
    const publisher = recordingPublisher();
    await expect(failJobOrRethrow(new FfmpegAbortedError('ffmpeg'), context, publisher)).rejects.toThrow(
      FfmpegAbortedError,
    );
    await expect(failJobOrRethrow(new Error('socket hang up'), context, publisher)).rejects.toThrow(
      'socket hang up',
    );
    expect(publisher.published).toHaveLength(0);
  });
});
