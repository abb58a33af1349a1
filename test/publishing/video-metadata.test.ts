import { metadataOf } from '../../services/api/src/publishing/publish-job';

const job = (spec: Record<string, unknown>) =>
  ({ jobId: '01JOB0000000000000000000AA', spec: { recipe: 'prompt', ...spec } }) as Parameters<
    typeof metadataOf
  >[0];

describe("a published video's title, description and tags", () => {
  it("lists the job's planned scenes in order in the description, after the prompt", () => {
    // Act
    const metadata = metadataOf(job({ prompt: 'A lighthouse at dawn. Waves below.' }), [
      'a lighthouse, first light',
      ' gulls over the rocks ',
    ]);

    // Assess
    expect(metadata).toEqual({
      title: 'A lighthouse at dawn.',
      description:
        'A lighthouse at dawn. Waves below.\n\nScenes:\n1. a lighthouse, first light\n2. gulls over the rocks\n\nMade with Reelay.',
      tags: ['reelay', 'prompt'],
    });
  });

  it('describes a job with no plan read by its prompt alone, and one without a prompt by its recipe', () => {
    expect(metadataOf(job({ prompt: 'a harbour' })).description).toBe('a harbour\n\nMade with Reelay.');
    expect(metadataOf(job({ recipe: 'merge' }))).toEqual({
      title: 'Reelay merge video 01JOB0000000000000000000AA',
      description: 'Made with Reelay.',
      tags: ['reelay', 'merge'],
    });
  });
});
