import { makeJobRequested } from '@reelay/events';
import { DEFAULT_MODELS } from '../../../src/models/model-catalog';
import { predictionCost } from '../../../src/models/model-prices';
import { planDeterministically } from '../../../src/planning/deterministic-planner';
import { costOf } from '../../../src/rendering/check-prediction';

/**
 * The published prices (libs/replicate-models README, taken 2026-12-05), written out by hand so the
 * check does not reuse the code it checks:
 * - wan-2.2-t2v-fast at 720p: $0.02 per second of output, billed as frames / 16;
 * - kokoro-82m: $0.000225 per second on a T4; musicgen: $0.0014 per second on an A100 (80GB);
 * - meta-llama-3-8b-instruct: $0.05 per million input tokens, $0.25 per million output tokens.
 */
const WAN_720P_PER_SEC = 0.02;
const T4_PER_SEC = 0.000225;
const A100_PER_SEC = 0.0014;

/** What the predictions of this job reported (typical hardware times and token counts). */
const SPEECH_PREDICT_SEC = 2.5;
const MUSIC_PREDICT_SEC = 45;
const PLANNER_TOKENS = { input_token_count: 1200, output_token_count: 500 };

describe("a default job's recorded cost", () => {
  it('a 5-scene 720p default job costs what the published prices say, within 5%', () => {
    // Prepare: the default prompt job (5 scenes of 4 s, 720p 16:9, narration and music).
    const scenes = planDeterministically(makeJobRequested({ spec: { prompt: 'a lighthouse', scenes: 5 } }));
    const metricsOf = (kind: string) =>
      kind === 'narration'
        ? { predict_time: SPEECH_PREDICT_SEC }
        : kind === 'music'
          ? { predict_time: MUSIC_PREDICT_SEC }
          : { predict_time: 30 };

    // Act: what the generator records for each prediction, from the input it sends.
    const recorded =
      scenes.reduce((sum, scene) => sum + costOf(scene, { metrics: metricsOf(scene.kind) }), 0) +
      predictionCost(DEFAULT_MODELS.planner, { metrics: { predict_time: 3, ...PLANNER_TOKENS } });

    // Assess
    expect(scenes.filter((s) => s.kind === 'video')).toHaveLength(5);
    expect(scenes[0]?.output).toMatchObject({ width: 1280, height: 720 });
    const published =
      5 * (81 / 16) * WAN_720P_PER_SEC +
      5 * SPEECH_PREDICT_SEC * T4_PER_SEC +
      MUSIC_PREDICT_SEC * A100_PER_SEC +
      (PLANNER_TOKENS.input_token_count * 0.05 + PLANNER_TOKENS.output_token_count * 0.25) / 1e6;
    expect(Math.abs(recorded - published) / published).toBeLessThan(0.05);
  });
});
