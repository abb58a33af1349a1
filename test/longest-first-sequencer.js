/**
 * Jest's default order, except that the suites known to run longest start first. Without a cache
 * of earlier runs (a fresh clone, CI) Jest orders by file size, which put the reliability soak (a
 * small file, ~9 minutes) last, alone on one worker while the other sat idle. Starting the long
 * suites first lets the short ones fill in beside them.
 */
const Sequencer = require('@jest/test-sequencer').default;

/** Longest first, as measured on 2 cores (see the test output's per-suite seconds). */
const LONGEST = [
  'test/chaos/soak.test.ts',
  'test/e2e/replicate-contract.test.ts',
  'services/generator/test/integration/render-scene.test.ts',
  'services/api/test/integration/http-api.test.ts',
  'test/console/console.test.ts',
  'services/composer/test/integration/composer-invariants.test.ts',
  'test/series/series-on-schedule.test.ts',
  'test/console/series-view.test.ts',
  'test/restart/crash-restart.test.ts',
  'test/console/operator.test.ts',
  'test/e2e/prompt-to-video.test.ts',
  'test/deploy/ffmpeg-binaries.test.ts',
  'test/e2e/recipes.test.ts',
  'local/cloud/test/chaos/fault-injector.test.ts',
];

class LongestFirstSequencer extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    const rank = (test) => {
      const index = LONGEST.findIndex((path) => test.path.endsWith(path));
      return index < 0 ? LONGEST.length : index;
    };
    // Array.prototype.sort is stable: the rest keep Jest's order.
    return [...ordered].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirstSequencer;
