import { composedMetadata, storedComposedOutput } from '../../../src/composing/stored-output';
import type { ComposedOutput } from '../../../src/scenes/scene-set';

const composed: ComposedOutput = {
  key: 'jobs/01J00000000000000000000000/final.mp4',
  thumbnailKey: 'jobs/01J00000000000000000000000/thumbnail.jpg',
  captionsKey: 'jobs/01J00000000000000000000000/captions.vtt',
  durationSec: 18,
  width: 1280,
  height: 720,
  bytes: 1000,
  sha256: 'a'.repeat(64),
  composeMs: 4000,
};

describe('recognizing a stored final video', () => {
  it('recognizes a final video whose record names the sha256 it was stored with', () => {
    expect(storedComposedOutput({ ...composedMetadata(composed), sha256: composed.sha256 })).toEqual(
      composed,
    );
  });

  it('does not trust a final video whose sha256 differs from its record, or has no record', () => {
    expect(storedComposedOutput({ ...composedMetadata(composed), sha256: 'b'.repeat(64) })).toBeUndefined();
    expect(storedComposedOutput({ sha256: composed.sha256 })).toBeUndefined();
    expect(storedComposedOutput(undefined)).toBeUndefined();
  });
});
