/** Media a user may upload: the content type they declare fixes the extension, the kind and the size cap. */
export const UPLOAD_TYPES = {
  'image/png': { ext: 'png', kind: 'image', maxBytes: 20 * 1024 * 1024 },
  'image/jpeg': { ext: 'jpg', kind: 'image', maxBytes: 20 * 1024 * 1024 },
  'image/webp': { ext: 'webp', kind: 'image', maxBytes: 20 * 1024 * 1024 },
  'video/mp4': { ext: 'mp4', kind: 'video', maxBytes: 200 * 1024 * 1024 },
  'video/quicktime': { ext: 'mov', kind: 'video', maxBytes: 200 * 1024 * 1024 },
  'video/webm': { ext: 'webm', kind: 'video', maxBytes: 200 * 1024 * 1024 },
} as const;

export type UploadContentType = keyof typeof UPLOAD_TYPES;
export const UPLOAD_CONTENT_TYPES = Object.keys(UPLOAD_TYPES) as [UploadContentType, ...UploadContentType[]];

/** A presigned POST is valid this long (docs/architecture.md, security rules: 15 minutes). */
export const UPLOAD_URL_TTL_SEC = 15 * 60;

export const uploadKey = (userId: string, uploadId: string, contentType: UploadContentType) =>
  `uploads/${userId}/${uploadId}.${UPLOAD_TYPES[contentType].ext}`;
