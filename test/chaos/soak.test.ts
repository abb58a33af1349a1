/**
 * Issue 9's reliability soak on the embedded cloud. `npm test` runs a reduced size (REELAY_CHAOS_JOBS,
 * default 8 jobs; a long story of REELAY_CHAOS_LONG_PAGES pages, 8 by default); `npm run test:chaos`
 * runs 100. Timings are not asserted: every wait has a generous
 * deadline, and the job deadlines (the sweeper's) are what "within its deadline" is checked against.
 */

import { TEST_STAGE } from '../support/test-stage';
import { runChaosSoak, type SoakOutcome } from './soak-scenario';

const JOBS = Number(process.env.REELAY_CHAOS_JOBS ?? 8);
/**
 * The long story's pages (issue 21): 8 by default, so that the soak stays within a few minutes;
 * REELAY_CHAOS_LONG_PAGES=120 for the story at the issue's size. A narration scene of its first run
 * (16 pages, under a load average of 20-40) failed with a crash that RenderScene should have
 * retried; five runs since did not fail, and a failed render now prints its execution's last steps
 * (soak-executions.ts) so the next one can be traced.
 */
const LONG_PAGES = Number(process.env.REELAY_CHAOS_LONG_PAGES ?? 8);
const DEADLINE_SEC = Number(process.env.REELAY_CHAOS_DEADLINE_SEC ?? (JOBS > 20 ? 3600 : 1200));
/** Cloud start, the jobs (up to their deadline), the redrive and the replay on a loaded machine. */
const TEST_TIMEOUT_MS = (DEADLINE_SEC + 1800) * 1000;

describe(`the reliability soak: ${JOBS} jobs${LONG_PAGES > 0 ? ` and a ${LONG_PAGES}-page story` : ''} under every fault at once`, () => {
  let outcome: SoakOutcome;

  beforeAll(async () => {
    const started = Date.now();
    outcome = await runChaosSoak({
      jobs: JOBS,
      stage: TEST_STAGE,
      deadlineSec: DEADLINE_SEC,
      longPages: LONG_PAGES,
      log: (line) => process.stderr.write(`[soak] ${line}\n`),
    });
    outcome.lines.push(`soak took ${((Date.now() - started) / 60_000).toFixed(1)} min`);
    process.stdout.write(`\n${outcome.lines.join('\n')}\n`);
  }, TEST_TIMEOUT_MS);

  const invariant = (name: string) => {
    const found = outcome.checks.find((c) => c.name === name);
    if (!found) throw new Error(`the soak has no check "${name}"`);
    return found;
  };

  it.each([
    'every job terminal',
    'every failure names its stage and reason',
    'every job ended within its deadline',
    'one final video per completed job',
    'one completion record per completed job',
    'one charge per prediction',
    "each user's daily usage = Σ of their jobs' charges",
    'one callback per completed job',
    'predictions ≤ scene attempts',
    'zero messages lost',
    'the poisoned job completed after the redrive',
    'the replay of the whole archive changed nothing',
    "each user's quota = units of their completed jobs, no slot held at rest",
    'the whole cloud restarted mid-run, with jobs and messages in flight',
    "nothing left in the functions' temp dir but by crashed invocations",
    'every armed fault fired',
    'the series made its quota, each item once, nothing lost',
    ...(LONG_PAGES > 0 ? ['the long job completed with every page on screen, in order'] : []),
  ])('%s', (name) => {
    const check = invariant(name);
    expect(check.offenders).toEqual([]);
    expect(check.ok).toBe(true);
  });
});
