export type { TwinClock } from './clock';
export type { YouTubeFaults } from './faults';
export type { ChannelCredentials } from './oauth';
export { DEFAULT_DAILY_QUOTA, QUOTA_COST } from './quota';
export { CHUNK_GRANULARITY, type UploadSessionView } from './resumable-uploads';
export { type LocalYouTube, type LocalYouTubeOptions, startLocalYouTube } from './server';
export { tagsLength } from './video-metadata';
export type { StoredVideo } from './video-store';
