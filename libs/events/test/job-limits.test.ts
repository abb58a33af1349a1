import { ulid } from 'ulid';
import {
  JOB_LIMITS,
  jobRequestedSchema,
  jobSpecSchema,
  MAX_EVENT_BYTES,
  MAX_SCENES,
  makeJobRequested,
  makeScenePlanned,
  scenePlannedSchema,
} from '../src';

const ids = (n: number) => Array.from({ length: n }, () => ulid());
const issuesOf = (input: unknown) => JSON.stringify(jobSpecSchema.safeParse(input).error?.issues ?? []);

describe('job limits', () => {
  it('takes a story of 300 pages and refuses 301, naming the limit', () => {
    expect(jobSpecSchema.safeParse({ recipe: 'story', uploads: ids(300) }).success).toBe(true);

    expect(issuesOf({ recipe: 'story', uploads: ids(301) })).toContain('at most 300 uploads');
  });

  it('takes a merge of 100 clips and refuses 101', () => {
    expect(jobSpecSchema.safeParse({ recipe: 'merge', uploads: ids(100) }).success).toBe(true);

    expect(issuesOf({ recipe: 'merge', uploads: ids(101) })).toContain(
      'the merge recipe takes at most 100 uploads',
    );
  });

  it('keeps the other recipes at 12 uploads', () => {
    expect(issuesOf({ recipe: 'prompt', prompt: 'p', uploads: ids(13) })).toContain('at most 12 uploads');
  });

  it('takes a script of one line per page, empty lines for the planner to write', () => {
    const spec = jobSpecSchema.parse({ recipe: 'story', uploads: ids(3), script: ['Một.', '', 'Ba.'] });

    expect(spec.script).toEqual(['Một.', '', 'Ba.']);
    expect(spec.narrationPauseSec).toBe(0.5);
  });

  it('refuses a script whose lines do not match the uploads', () => {
    expect(issuesOf({ recipe: 'story', uploads: ids(3), script: ['one', 'two'] })).toContain(
      'the script has 2 lines for 3 uploads',
    );
  });

  it('refuses a script on any recipe but story', () => {
    expect(issuesOf({ recipe: 'merge', uploads: ids(1), script: ['one'] })).toContain(
      'only the story recipe takes a script',
    );
  });

  it('refuses a line over 1000 characters and a script over the total, in characters or UTF-8 bytes', () => {
    const line = 'a'.repeat(JOB_LIMITS.scriptLineChars + 1);
    expect(issuesOf({ recipe: 'story', uploads: ids(1), script: [line] })).toContain('1000');

    const long = Array.from({ length: 60 }, () => 'a'.repeat(900));
    expect(issuesOf({ recipe: 'story', uploads: ids(60), script: long })).toContain(
      'the script is 54000 characters; the limit is 50000',
    );

    // 'ệ' is three bytes: 40,000 characters stay under the character limit but not the byte limit.
    const wide = Array.from({ length: 40 }, () => 'ệ'.repeat(1000));
    expect(issuesOf({ recipe: 'story', uploads: ids(40), script: wide })).toContain(
      'the script is 120000 bytes of UTF-8; the limit is 98304',
    );
  });

  it('refuses a pause after narration over 5 seconds', () => {
    expect(jobSpecSchema.safeParse({ recipe: 'story', uploads: ids(1), narrationPauseSec: 6 }).success).toBe(
      false,
    );
  });

  it('keeps the largest JobRequested within one EventBridge event', () => {
    // Prepare: 300 pages, the whole script budget in three-byte characters, the longest upload keys.
    const lines = Array.from({ length: 300 }, () => 'ệ'.repeat(109));
    const job = makeJobRequested({
      spec: { recipe: 'story', uploads: ids(300), script: lines, prompt: 'p'.repeat(2000) },
      uploadKeys: Array.from({ length: 300 }, () => `uploads/${'u'.repeat(128)}/${ulid()}.webp`),
    });

    // Act
    const bytes = Buffer.byteLength(JSON.stringify(jobRequestedSchema.parse(job)), 'utf8');

    // Assess
    expect(bytes).toBeGreaterThan(JOB_LIMITS.scriptTotalBytes - 2000);
    expect(bytes).toBeLessThan(MAX_EVENT_BYTES - 16 * 1024);
  });

  it('numbers the scenes of the largest story: 300 pages, 300 narrations and a music bed', () => {
    expect(MAX_SCENES).toBe(601);
    expect(
      scenePlannedSchema.safeParse({ ...makeScenePlanned(), sceneIndex: 600, sceneCount: 601, alignTo: 299 })
        .success,
    ).toBe(true);
    expect(
      scenePlannedSchema.safeParse({ ...makeScenePlanned(), sceneIndex: 601, sceneCount: 602 }).success,
    ).toBe(false);
  });
});
