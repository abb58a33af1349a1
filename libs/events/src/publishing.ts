import { z } from 'zod';
import { ulidSchema } from './common';

/** At most this many destinations per job: each is an upload of the whole video. */
export const MAX_DESTINATIONS = 3;
/** A connection's name, as the api stores it (PUT /connections/youtube/{name}). */
export const connectionNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a connection name');

export const youtubeDestinationSchema = z.strictObject({
  type: z.literal('youtube'),
  /** The user's YouTube connection (its OAuth client and refresh token) the video is uploaded with. */
  connection: connectionNameSchema,
  privacyStatus: z.enum(['private', 'unlisted', 'public']).default('private'),
});

/** S3 bucket names as S3 allows them (3-63 lower-case letters, digits, dots and hyphens). */
const bucketNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
  .refine((name) => !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name), 'must be an S3 bucket name');

export const s3DestinationSchema = z.strictObject({
  type: z.literal('s3'),
  /** The user's bucket; its policy must let Reelay's publisher role put objects (services/api/README.md). */
  bucket: bucketNameSchema,
  /** Key prefix, e.g. `videos/`; the object is `<prefix><jobId>.mp4`. */
  prefix: z
    .string()
    .max(512)
    .regex(/^(?!\/)[A-Za-z0-9!_.*'()\-/]*$/, 'must be an S3 key prefix (no leading slash)')
    .default(''),
});

export const destinationSchema = z.discriminatedUnion('type', [
  youtubeDestinationSchema,
  s3DestinationSchema,
]);
export type Destination = z.infer<typeof destinationSchema>;

/** One key per destination of a job: the unit of "exactly once per job and destination". */
export function destinationKey(destination: Destination): string {
  return destination.type === 'youtube'
    ? `youtube:${destination.connection}`
    : `s3:${destination.bucket}/${destination.prefix}`;
}

export const publishListSchema = z
  .array(destinationSchema)
  .min(1)
  .max(MAX_DESTINATIONS, `a job publishes to at most ${MAX_DESTINATIONS} destinations`)
  .superRefine((destinations, ctx) => {
    const seen = new Set<string>();
    destinations.forEach((destination, index) => {
      const key = destinationKey(destination);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index], message: `${key} is named twice` });
      seen.add(key);
      // The publisher does not copy to a user's bucket yet: refused at submit, not accepted and failed later.
      if (destination.type === 's3')
        ctx.addIssue({
          code: 'custom',
          path: [index, 'type'],
          message: 'publishing to an S3 bucket is not available yet; use a youtube destination',
        });
    });
  });

/** An episode of a series (the api's series): passed on from JobRequested into the publishing events. */
export const seriesRefSchema = z.strictObject({ seriesId: ulidSchema, itemId: z.string().min(1).max(64) });
export type SeriesRef = z.infer<typeof seriesRefSchema>;
