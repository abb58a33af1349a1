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
export const bucketNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
  .refine((name) => !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name), 'must be an S3 bucket name');

/** Longest `prefix` a destination may name: the key around it (users/<userId>/…/<jobId>/metadata.json) stays far below S3's 1024 bytes. */
export const MAX_S3_PREFIX_LENGTH = 256;
/**
 * One folder name: characters S3 calls safe in a key (docs: "Object key naming guidelines"), without
 * the separator, and never `.` or `..`.
 */
const S3_SEGMENT = String.raw`(?!\.\.?(?:/|$))[A-Za-z0-9!_.*'()-]+`;

/**
 * A key prefix such as `videos/2026` (a trailing slash is optional): `/`-separated segments, none
 * empty, `.` or `..`, so the prefix names a folder and never climbs out of the user's own (the
 * publisher writes `users/<userId>/<prefix>/<jobId>/`). A regex rather than a refinement, so the
 * JSON schemas (docs/events) carry the rule too.
 */
export const s3PrefixSchema = z
  .string()
  .max(MAX_S3_PREFIX_LENGTH)
  .regex(
    new RegExp(`^(?:${S3_SEGMENT}(?:/${S3_SEGMENT})*/?)?$`),
    "must be an S3 key prefix: '/'-separated segments of letters, digits and !_.*'()- with no leading, doubled, '.' or '..' segment",
  );

/** The prefix without its optional trailing slash: `videos/` and `videos` are one folder. */
export const s3PrefixPath = (prefix: string): string => prefix.replace(/\/$/, '');

export const s3DestinationSchema = z.strictObject({
  type: z.literal('s3'),
  /** One of the buckets the deployment may write (the api's `publishBuckets` deploy parameter; services/api/README.md). */
  bucket: bucketNameSchema,
  /** A folder under the user's own, e.g. `videos/`: the job's files land in `users/<userId>/<prefix>/<jobId>/`. */
  prefix: s3PrefixSchema.default(''),
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
    : `s3:${destination.bucket}/${s3PrefixPath(destination.prefix)}`;
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
    });
  });

/** An episode of a series (the api's series): passed on from JobRequested into the publishing events. */
export const seriesRefSchema = z.strictObject({ seriesId: ulidSchema, itemId: z.string().min(1).max(64) });
export type SeriesRef = z.infer<typeof seriesRefSchema>;
