import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeJobRequested, type ScenePlanned } from '@reelay/events';
import Replicate from 'replicate';
import { type LocalModelServer, startLocalModelServer } from '../../../../local/models/src/index';
import { DEFAULT_MODELS } from '../../src/models/model-catalog';
import { type PlanJobDeps, planJob } from '../../src/planning/plan-job';
import type { PlanStore } from '../../src/planning/plan-store';
import { describeStyle } from '../../src/planning/style-references';

/**
 * Style references end to end through the real replicate client and the model twin: the twin's
 * vision model (llava-13b, served by version as on Replicate) measures the reference picture, the
 * planner appends its description to every generated scene's prompt, once per job.
 */
const run = promisify(execFile);
const TOKEN = 'r8_style_references_token';
const SECRET = `whsec_${Buffer.from('style-references-signing-secret!').toString('base64')}`;

let workDir: string;
let server: LocalModelServer;
let replicate: Replicate;
/** The "S3" of the test: reference keys mapped to local pictures (the one port faked here). */
const pictures = new Map<string, string>();

class MemoryPlans implements PlanStore {
  readonly plans = new Map<string, ScenePlanned[]>();
  async get(jobId: string) {
    return this.plans.get(jobId);
  }
  async keep(jobId: string, scenes: ScenePlanned[]) {
    if (!this.plans.has(jobId)) this.plans.set(jobId, scenes);
    return this.plans.get(jobId) ?? scenes;
  }
}

async function picture(name: string, colour: string): Promise<string> {
  const file = join(workDir, `${name}.png`);
  await run('/usr/bin/ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `color=c=${colour}:s=160x90`,
    '-frames:v',
    '1',
    '-y',
    file,
  ]);
  return file;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'reelay-style-references-'));
  server = await startLocalModelServer({
    apiToken: TOKEN,
    webhookSigningSecret: SECRET,
    workDir: join(workDir, 'server'),
    ffmpegPath: '/usr/bin/ffmpeg',
  });
  replicate = new Replicate({ auth: TOKEN, baseUrl: `${server.url}/v1`, useFileOutput: false });
  pictures.set('uploads/user-1/01JDARKRED0000000000000000.png', await picture('dark-red', '0x5a0a0a'));
});

afterAll(async () => {
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

function planDeps(plans: PlanStore) {
  const published: Array<{ definition: { detailType: string }; detail: unknown }> = [];
  const deps: PlanJobDeps = {
    catalog: DEFAULT_MODELS,
    uploadFacts: async (key) => ({ key, kind: 'image' }),
    describeStyle: (keys, spent) =>
      describeStyle(
        keys,
        {
          replicate,
          model: DEFAULT_MODELS.vision,
          // As the plan function does locally: the picture goes through the files API.
          referenceUrl: async (key) => {
            const file = pictures.get(key);
            if (!file) throw new Error(`no picture for ${key}`);
            const blob = new Blob([await readFile(file)], { type: 'image/png' });
            return (await replicate.files.create(blob)).urls.get;
          },
          pollMs: 50,
        },
        spent,
      ),
    plans,
    publisher: {
      publishAll: async (events: readonly { definition: { detailType: string }; detail: unknown }[]) => {
        published.push(...events);
      },
      publish: async (definition: { detailType: string }, detail: unknown) => {
        published.push({ definition, detail });
      },
    } as never,
  };
  return { deps, published };
}

describe('style references', () => {
  it('give every generated scene the look of a dark red reference, described once per job', async () => {
    // Prepare
    const job = makeJobRequested({
      spec: { prompt: 'a lighthouse in a storm', scenes: 3, styleReferences: ['01JDARKRED0000000000000000'] },
      styleReferenceKeys: ['uploads/user-1/01JDARKRED0000000000000000.png'],
    });
    const plans = new MemoryPlans();

    // Act: planned, then planned again as a redelivered JobRequested would be.
    const first = await planJob(job, planDeps(plans).deps);
    const again = await planJob(job, planDeps(plans).deps);

    // Assess
    if (first.outcome !== 'planned' || again.outcome !== 'planned') throw new Error('not planned');
    const visuals = first.scenes.filter((s) => s.kind === 'video');
    expect(visuals).toHaveLength(3);
    for (const scene of visuals) {
      expect(scene.prompt).toMatch(/^a lighthouse in a storm.*\. Style: .*dark, low-key lighting/);
      expect(scene.prompt).toContain('red tones');
    }
    expect(first.scenes.find((s) => s.kind === 'narration')?.prompt).not.toContain('Style:');
    const described = server.predictions().filter((p) => p.model === 'yorickvp/llava-13b');
    expect(described).toHaveLength(1);
    expect(again.scenes).toEqual(first.scenes);
    expect(first.scenes[0]?.planning?.some((s) => s.status === 'succeeded')).toBe(true);
  });

  it('fails the job at planning with a named error when no vision model can be asked', async () => {
    const job = makeJobRequested({
      spec: { prompt: 'a lighthouse', styleReferences: ['01JDARKRED0000000000000000'] },
      styleReferenceKeys: ['uploads/user-1/01JDARKRED0000000000000000.png'],
    });
    const { deps, published } = planDeps(new MemoryPlans());
    const { describeStyle: _none, ...withoutVision } = deps;

    const result = await planJob(job, withoutVision);

    expect(result.outcome).toBe('rejected');
    expect(published).toEqual([
      expect.objectContaining({
        definition: expect.objectContaining({ detailType: 'JobFailed' }),
        detail: expect.objectContaining({ stage: 'plan', code: 'STYLE_REFERENCE_FAILED' }),
      }),
    ]);
  });
});
