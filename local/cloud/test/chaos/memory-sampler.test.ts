import { spawn } from 'node:child_process';
import { formatMemoryMarks, MemorySampler, memoryGrowth } from '../../../../bench/memory-soak';

describe('the soak memory sampler', () => {
  it('counts the resident memory of child processes as well as its own', async () => {
    // Prepare
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const sampler = new MemorySampler();

    try {
      // Act
      const sample = await sampler.sample();

      // Assess
      expect(sample.processRssBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(sample.childProcesses).toBeGreaterThanOrEqual(1);
      expect(sample.childrenRssBytes).toBeGreaterThan(0);
    } finally {
      child.kill();
    }
  });

  it('keeps the peak up to each mark and compares marks against the 20% growth limit', async () => {
    // Prepare
    const sampler = new MemorySampler();
    const first = await sampler.mark('after 20 jobs');

    // Act
    const second = await sampler.mark('after 100 jobs');
    const doubled = { ...second, peakTotalRssBytes: first.peakTotalRssBytes * 2 };

    // Assess
    expect(second.peakTotalRssBytes).toBeGreaterThanOrEqual(first.peakTotalRssBytes);
    expect(memoryGrowth(first, doubled)).toEqual({ ratio: 2, withinLimit: false });
    expect(formatMemoryMarks([first, doubled]).at(-1)).toMatch(/NOT met/);
  });
});
