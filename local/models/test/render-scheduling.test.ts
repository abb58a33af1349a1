import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findModel, LOCAL_MODELS, type LocalModel, type PreparedRun } from '../src/catalog';
import { createFaultBook } from '../src/faults';
import { PredictionService } from '../src/prediction-service';
import { RenderSlots } from '../src/render-slots';
import { WebhookSender } from '../src/webhook-delivery';

/** A render the test finishes by hand, recording when it started. */
function heldRun(label: string, started: string[]): { run: PreparedRun; finish: () => void } {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    run: {
      input: {},
      text: label,
      render: async () => {
        started.push(label);
        await done;
        return { inline: [label] };
      },
    },
    finish: () => finish(),
  };
}

const model = (id: string): LocalModel => {
  const found = findModel(id);
  if (!found) throw new Error(`no model ${id}`);
  return found;
};

async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('render scheduling on the local model server', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'render-scheduling-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const service = (slots: RenderSlots) => {
    const predictions = new PredictionService({
      workDir: dir,
      ffmpegPath: 'ffmpeg',
      clock: Date.now,
      outputTtlMs: 60_000,
      slots,
      lightSlots: new RenderSlots(1),
      faults: createFaultBook(),
      webhooks: new WebhookSender(Buffer.alloc(32), () => Date.now() / 1000),
      origin: () => 'http://127.0.0.1:1',
      present: () => ({}),
    });
    const create = (modelId: string, run: PreparedRun) =>
      predictions.create({ model: model(modelId), run, webhook: null, webhookEventsFilter: [] });
    return { predictions, create };
  };

  it('grants a free render slot to the waiting render of lowest priority first, then in arrival order', async () => {
    // Prepare: one slot, held.
    const slots = new RenderSlots(1);
    const signal = new AbortController().signal;
    const releaseFirst = await slots.acquire(signal, 0);
    const order: string[] = [];
    const queue = (label: string, priority: number) =>
      slots.acquire(signal, priority).then((release) => {
        order.push(label);
        release();
      });
    // Act
    const waiting = [queue('music', 2), queue('video A', 1), queue('video B', 1)];
    releaseFirst();
    await Promise.all(waiting);
    // Assess
    expect(order).toEqual(['video A', 'video B', 'music']);
  });

  it('renders pictures before music when both wait for the render slots', async () => {
    // Prepare: one heavy slot, taken by a first picture.
    const slots = new RenderSlots(1);
    const { predictions, create } = service(slots);
    const started: string[] = [];
    const first = heldRun('video 1', started);
    const music = heldRun('music', started);
    const second = heldRun('video 2', started);
    create(LOCAL_MODELS.video, first.run);
    await waitFor(() => started.length === 1, 'the first picture to start');
    // Act: music asks first, a second picture after it.
    create(LOCAL_MODELS.music, music.run);
    await waitFor(() => slots.waitingCount === 1, 'the music to wait for the slot');
    create(LOCAL_MODELS.video, second.run);
    await waitFor(() => slots.waitingCount === 2, 'the second picture to wait for the slot');
    first.finish();
    await waitFor(() => started.length === 2, 'the next render to start');
    second.finish();
    await waitFor(() => started.length === 3, 'the last render to start');
    music.finish();
    await predictions.close();
    // Assess
    expect(started).toEqual(['video 1', 'video 2', 'music']);
  });

  it('renders speech beside the pictures instead of queueing behind them', async () => {
    // Prepare: every heavy slot taken.
    const { predictions, create } = service(new RenderSlots(1));
    const started: string[] = [];
    const picture = heldRun('video', started);
    const speech = heldRun('speech', started);
    const rendering = create(LOCAL_MODELS.video, picture.run);
    await waitFor(() => started.length === 1, 'the picture to start');
    // Act
    const spoken = create(LOCAL_MODELS.speech, speech.run);
    await waitFor(() => started.includes('speech'), 'the speech to start beside the picture');
    speech.finish();
    await waitFor(() => predictions.get(spoken.id)?.status === 'succeeded', 'the speech to succeed');
    // Assess: the speech is done while the picture still renders.
    expect(predictions.get(rendering.id)?.status).toBe('processing');
    picture.finish();
    await predictions.close();
  });
});
