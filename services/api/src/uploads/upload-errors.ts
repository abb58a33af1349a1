import { HttpProblemError } from '@reelay/lambda';

/** Refusals of POST /uploads and of the uploads a job names (problem+json via libs/lambda's error handler). */

export class UploadTooLargeError extends HttpProblemError {
  constructor(contentType: string, maxBytes: number, bytes: number, fileIndex?: number) {
    const detail = `${contentType} uploads are limited to ${maxBytes} bytes; ${fileIndex === undefined ? 'this file' : `file ${fileIndex}`} is ${bytes}`;
    super({
      status: 413,
      title: 'Upload too large',
      detail,
      ...(fileIndex === undefined ? {} : { errors: [{ path: `files.${fileIndex}.bytes`, message: detail }] }),
    });
  }
}

export class UploadsNotAllowedError extends HttpProblemError {
  constructor() {
    super({
      status: 403,
      title: 'Uploads not available for this account',
      detail: 'this user id cannot own uploads',
    });
  }
}

/** An upload a job names is not the caller's, not uploaded yet, refused, or of the wrong kind. */
export class UnusableUploadError extends HttpProblemError {
  constructor(index: number, detail: string) {
    super({
      status: 422,
      title: 'Unusable upload',
      detail,
      errors: [{ path: `uploads.${index}`, message: detail }],
    });
  }
}

/** A merge's clips together run longer than a job may (JOB_LIMITS.mergeTotalSec). */
export class MergeTooLongError extends HttpProblemError {
  constructor(totalSec: number, limitSec: number) {
    const detail = `the clips run ${Math.round(totalSec)} s together; a merge job is limited to ${limitSec} s`;
    super({ status: 422, title: 'Merge too long', detail, errors: [{ path: 'uploads', message: detail }] });
  }
}
