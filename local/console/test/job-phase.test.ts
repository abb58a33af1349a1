import type { SceneRecord, TimelineEntry } from '@reelay/job-records';
import { type ApiJobView, phaseText, sceneGroups, sceneState } from '../web/job-phase';
import { MAX_SCENE_BARS, waterfallBars } from '../web/waterfall-bars';

const T0 = Date.parse('2026-12-06T10:00:00.000Z');
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();
const event = (detailType: string, sec: number, sceneIndex?: number): TimelineEntry => ({
  detailType,
  occurredAt: at(sec),
  recordedAt: at(sec),
  source: 'test',
  ...(sceneIndex === undefined ? {} : { sceneIndex }),
});
const scene = (sceneIndex: number, status: SceneRecord['status'], kind = 'video'): SceneRecord => ({
  sceneIndex,
  kind,
  status,
});

/** A job as GET /jobs/{id} serves it; the timeline and scenes say how far it got. */
function job(overrides: Partial<ApiJobView>): ApiJobView {
  return {
    jobId: '01JTESTJOB0000000000000000',
    userId: 'u',
    status: 'RENDERING',
    createdAt: at(0),
    spec: { recipe: 'prompt', prompt: 'p', scenes: 2 },
    costUsd: 0,
    scenes: [],
    timeline: [],
    durations: {},
    usage: [],
    deadMessages: [],
    ...overrides,
  };
}

/** Two scenes: planned at 1 s, ready at 5 s and 9 s, composed at 12 s. */
const twoScenesComposed = job({
  status: 'COMPLETED',
  sceneCount: 2,
  completedAt: at(12),
  scenes: [scene(0, 'ready'), scene(1, 'ready')],
  timeline: [
    event('JobRequested', 0),
    event('ScenePlanned', 1, 0),
    event('ScenePlanned', 1, 1),
    event('SceneReady', 5, 0),
    event('SceneReady', 9, 1),
    event('VideoComposed', 12),
  ],
});

describe("the console's job view", () => {
  it('measures composing from the last scene ready (when the composer starts), not from the first', () => {
    const bars = waterfallBars(twoScenesComposed);

    const composing = bars.find((b) => b.stage === 'composing');
    expect(composing && { from: composing.from - T0, to: (composing.to ?? 0) - T0 }).toEqual({
      from: 9000,
      to: 12000,
    });
    expect(bars.map((b) => b.stage)).toEqual([
      'queued → planned',
      'rendering scenes',
      'composing',
      'scene 1',
      'scene 2',
    ]);
  });

  it('shows no composing while a scene still renders, and the phase counts the visual scenes ready', () => {
    const rendering = job({
      sceneCount: 4,
      scenes: [
        scene(0, 'ready'),
        scene(1, 'planned'),
        scene(2, 'ready', 'narration'),
        scene(3, 'ready', 'narration'),
      ],
      timeline: [event('JobRequested', 0), event('ScenePlanned', 1, 0), event('SceneReady', 5, 0)],
    });

    expect(waterfallBars(rendering).map((b) => b.stage)).not.toContain('composing');
    expect(phaseText(rendering)).toBe('rendering 1/2 scenes');
    expect(sceneGroups(rendering.scenes).map((g) => `${g.title} ${g.scenes.length}`)).toEqual([
      'Scenes 2',
      'Narration 2',
    ]);
  });

  it('ends every open bar and scene of a cancelled job with the job: cancelled, not rendering', () => {
    const cancelled = job({
      status: 'CANCELLED',
      sceneCount: 2,
      failedAt: at(7),
      failure: { stage: 'cancel', code: 'CANCELLED', reason: 'cancelled by the user', retryable: false },
      scenes: [scene(0, 'ready'), scene(1, 'planned')],
      timeline: [
        event('JobRequested', 0),
        event('ScenePlanned', 1, 0),
        event('ScenePlanned', 1, 1),
        event('SceneReady', 5, 0),
      ],
    });

    const bars = waterfallBars(cancelled);

    expect(bars.filter((b) => b.to === undefined)).toEqual([]);
    expect(bars.filter((b) => b.stopped).map((b) => [b.stage, (b.to ?? 0) - T0])).toEqual([
      ['rendering scenes', 7000],
      ['scene 2', 7000],
    ]);
    expect(cancelled.scenes.map((s) => sceneState(s, cancelled.status))).toEqual(['done', 'cancelled']);
    expect(phaseText(cancelled)).toBe('cancelled');
  });

  it('shows a long job (a story of 120 pages) as one overall bar, not 120', () => {
    const pages = Array.from({ length: 120 }, (_, i) => scene(i, i < 30 ? 'ready' : 'planned', 'image'));
    const story = job({
      sceneCount: 120,
      scenes: pages,
      timeline: [event('JobRequested', 0), ...pages.map((p) => event('ScenePlanned', 1, p.sceneIndex))],
    });

    const bars = waterfallBars(story);

    expect(bars.length).toBeLessThanOrEqual(3 + 1);
    expect(bars.at(-1)).toMatchObject({ stage: 'scenes 30/120 ready', done: 0.25 });
    expect(pages.length).toBeGreaterThan(MAX_SCENE_BARS);
  });

  it('says planning until the plan is in, and composing once every scene of the plan is ready', () => {
    expect(phaseText(job({ status: 'REQUESTED' }))).toBe('planning');
    expect(phaseText(job({ sceneCount: 2, scenes: [scene(0, 'ready'), scene(1, 'ready')] }))).toBe(
      'composing',
    );
  });
});
