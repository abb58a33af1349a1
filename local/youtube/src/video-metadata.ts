import { badRequest } from './google-errors';

/** The parts videos.insert accepts in `part` (the ones our twin stores come back; the rest are ignored). */
const KNOWN_PARTS = new Set([
  'contentDetails',
  'fileDetails',
  'id',
  'liveStreamingDetails',
  'localizations',
  'paidProductPlacementDetails',
  'player',
  'processingDetails',
  'recordingDetails',
  'snippet',
  'statistics',
  'status',
  'suggestions',
  'topicDetails',
]);

/** Assignable video categories (videoCategories.list, regionCode=US, assignable: true). */
const ASSIGNABLE_CATEGORIES = new Set([
  '1',
  '2',
  '10',
  '15',
  '17',
  '19',
  '20',
  '22',
  '23',
  '24',
  '25',
  '26',
  '27',
  '28',
  '29',
]);
const PRIVACY_STATUSES = new Set(['public', 'private', 'unlisted']);
const TITLE_MAX_CHARS = 100;
const DESCRIPTION_MAX_BYTES = 5000;
const TAGS_MAX_CHARS = 500;

export interface VideoMetadata {
  snippet: { title: string; description: string; tags: string[]; categoryId: string };
  status: { privacyStatus: string; selfDeclaredMadeForKids?: boolean };
}

/** The `part` query parameter: required, comma-separated known part names. */
export function parseParts(value: string | null): string[] {
  if (!value) {
    throw badRequest('required', 'Required parameter: part', 'global');
  }
  const parts = value.split(',').map((part) => part.trim());
  for (const part of parts) {
    if (!KNOWN_PARTS.has(part)) {
      throw badRequest('unknownPart', `'${part}'`, 'youtube.part');
    }
  }
  return parts;
}

/**
 * Validates the video resource of videos.insert as YouTube does for the fields we use: a title of 1 to
 * 100 characters, a description of at most 5000 bytes, neither with < or >; tags of at most 500
 * characters in all (a tag with a space counts its quotes, and tags are separated by commas); an
 * assignable categoryId; privacyStatus public, private or unlisted.
 */
export function validateVideoResource(resource: unknown): VideoMetadata {
  const record = (resource ?? {}) as Record<string, unknown>;
  const snippet = (record.snippet ?? {}) as Record<string, unknown>;
  const status = (record.status ?? {}) as Record<string, unknown>;
  const title = snippet.title;
  if (typeof title !== 'string' || title.trim().length === 0) {
    throw badRequest('invalidTitle', 'The request metadata specifies an invalid or empty video title.');
  }
  if ([...title].length > TITLE_MAX_CHARS || /[<>]/.test(title)) {
    throw badRequest('invalidTitle', 'The request metadata specifies an invalid video title.');
  }
  const description = snippet.description ?? '';
  if (
    typeof description !== 'string' ||
    Buffer.byteLength(description, 'utf8') > DESCRIPTION_MAX_BYTES ||
    /[<>]/.test(description)
  ) {
    throw badRequest('invalidDescription', 'The request metadata specifies an invalid video description.');
  }
  const tags = snippet.tags ?? [];
  if (
    !Array.isArray(tags) ||
    !tags.every((tag) => typeof tag === 'string') ||
    tagsLength(tags) > TAGS_MAX_CHARS
  ) {
    throw badRequest('invalidTags', 'The request metadata specifies invalid video keywords.');
  }
  const categoryId = snippet.categoryId ?? '22';
  if (typeof categoryId !== 'string' || !ASSIGNABLE_CATEGORIES.has(categoryId)) {
    throw badRequest(
      'invalidCategoryId',
      'The <code>snippet.categoryId</code> property specifies an invalid category ID.',
    );
  }
  const privacyStatus = status.privacyStatus ?? 'public';
  if (typeof privacyStatus !== 'string' || !PRIVACY_STATUSES.has(privacyStatus)) {
    throw badRequest('invalidVideoMetadata', 'The request metadata is invalid: status.privacyStatus.');
  }
  return {
    snippet: { title, description, tags: tags as string[], categoryId },
    status: {
      privacyStatus,
      ...(typeof status.selfDeclaredMadeForKids === 'boolean'
        ? { selfDeclaredMadeForKids: status.selfDeclaredMadeForKids }
        : {}),
    },
  };
}

/** How YouTube counts the tags' length: quotes around a tag with a space, a comma between tags. */
export function tagsLength(tags: readonly string[]): number {
  const chars = tags.reduce((sum, tag) => sum + [...tag].length + (tag.includes(' ') ? 2 : 0), 0);
  return chars + Math.max(0, tags.length - 1);
}
