import { assScriptText, captionCues, webvttText, wrapCaption } from '../../../src/composition/captions';

describe('captions', () => {
  it('shows each scene caption from its start on the output timeline until the next scene starts', () => {
    // Act
    const cues = captionCues(
      [{ durationSec: 4, caption: 'one' }, { durationSec: 4 }, { durationSec: 3, caption: 'three' }],
      0.5,
    );
    // Assess: scene 2 starts at 4 - 0.5 + 4 - 0.5 = 7
    expect(cues).toEqual([
      { startSec: 0, endSec: 3.5, text: 'one' },
      { startSec: 7, endSec: 10, text: 'three' },
    ]);
  });

  it('escapes WebVTT markup so caption text stays text', () => {
    const vtt = webvttText([{ startSec: 0, endSec: 1.5, text: 'a <b>bold</b> & --> claim' }]);
    expect(vtt).toBe(
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\na &lt;b&gt;bold&lt;/b&gt; &amp; --&gt; claim\n',
    );
  });

  it('keeps ASS override blocks and escapes from acting, so a viewer sees what was typed', () => {
    const ass = assScriptText([{ startSec: 0, endSec: 1, text: '{\\b1}x a\\Nb' }]);
    const dialogue = ass.split('\n').find((line) => line.startsWith('Dialogue:')) ?? '';
    expect(dialogue).not.toContain('{\\b1}');
    expect(dialogue).not.toContain('\\Nb');
    expect(dialogue.replaceAll('\u200b', '')).toContain('{\\b1}x a\\Nb');
  });

  it('wraps long captions on spaces into lines of at most 42 characters', () => {
    const lines = wrapCaption('word '.repeat(30).trim());
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(42);
  });
});
