import type { JobSpec } from '@reelay/events';
import type { z } from 'zod';

/**
 * A voice is a name, never a path or markup: letters, digits, `_`, `-` and `.` (not leading), as the
 * speech models' voice ids are (af_heart, Wise_Woman). Checked even for a model without a recorded
 * voice list, whose voices the api cannot enumerate.
 */
const VOICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Refuses a spec whose fields contradict each other, with a 400 naming the field that cannot take
 * effect, instead of accepting it and silently doing something else:
 * burnCaptions without captions, a voice or a narration model without narration, a music model
 * without music, and a voice that is not a name.
 */
export function refuseContradictions(spec: JobSpec, ctx: z.RefinementCtx): void {
  if (spec.burnCaptions && !spec.captions)
    ctx.addIssue({
      code: 'custom',
      path: ['burnCaptions'],
      message: 'burnCaptions needs captions: true (there are no captions to burn)',
    });
  if (spec.voice !== undefined && !VOICE_NAME.test(spec.voice))
    ctx.addIssue({
      code: 'custom',
      path: ['voice'],
      message: 'a voice is a voice id (letters, digits, _ - .), not a path',
    });
  if (spec.voice !== undefined && !spec.narration)
    ctx.addIssue({
      code: 'custom',
      path: ['voice'],
      message: 'a voice needs narration: true (nothing would be spoken)',
    });
  if (spec.models.narration !== undefined && !spec.narration)
    ctx.addIssue({
      code: 'custom',
      path: ['models', 'narration'],
      message: 'a narration model needs narration: true',
    });
  if (spec.models.music !== undefined && !spec.music)
    ctx.addIssue({
      code: 'custom',
      path: ['models', 'music'],
      message: 'a music model needs music: true',
    });
}
