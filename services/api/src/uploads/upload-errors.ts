import { HttpProblemError } from '@reelay/lambda';

/** Refusals of POST /uploads and of the uploads a job names (problem+json via libs/lambda's error handler). */

export class UploadTooLargeError extends HttpProblemError {
  constructor(contentType: string, maxBytes: number, bytes: number) {
    super({
      status: 413,
      title: 'Upload too large',
      detail: `${contentType} uploads are limited to ${maxBytes} bytes; this file is ${bytes}`,
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
