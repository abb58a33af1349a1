/**
 * How the soak reads its long job's final video: each page one colour of the palette, every frame
 * matched to the nearest. The palette must stay apart enough for the encoder's small colour shifts
 * at the soak's largest size (120 pages, `npm run test:chaos`).
 */
import { pagePalette } from '../support/page-colours';
import { pageRuns } from './soak-long-job';

type Rgb = [number, number, number];
/** A colour as H.264 at 480p gives it back: off by a few levels per channel. */
const shifted = ([r, g, b]: Rgb, by: number): Rgb => [
  Math.min(255, Math.max(0, r + by)),
  Math.min(255, Math.max(0, g - by)),
  Math.min(255, Math.max(0, b + by)),
];

describe("the soak's long-job video reader", () => {
  it('reads 120 pages of about a second each, in order, with their frames, through small colour shifts', () => {
    // Prepare
    const colours = pagePalette(120);
    const frames = colours.flatMap((c, page) =>
      Array.from({ length: 24 + (page % 3) }, (_, n) => shifted(c, (n % 5) - 2)),
    );

    // Act
    const video = pageRuns(frames, colours);

    // Assess
    expect(video.pagesOnScreen).toEqual([...Array(120).keys()]);
    expect(video.frames).toEqual(colours.map((_, page) => 24 + (page % 3)));
  });

  it('reads pages out of order, lost or shown twice as they are', () => {
    // Prepare
    const colours = pagePalette(16);
    const show = (pages: number[]) =>
      pages.flatMap((page) => Array<Rgb>(24).fill(colours[page] ?? [0, 0, 0]));

    // Act / Assess
    expect(pageRuns(show([0, 2, 1, 3]), colours).pagesOnScreen).toEqual([0, 2, 1, 3]);
    expect(pageRuns(show([0, 1, 3]), colours).pagesOnScreen).toEqual([0, 1, 3]);
    expect(pageRuns(show([0, 1, 0]), colours).pagesOnScreen).toEqual([0, 1, 0]);
  });
});
