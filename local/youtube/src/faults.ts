import { backendError, type GoogleApiError, rateLimitExceeded } from './google-errors';

/**
 * Faults a test arms; each fires on the next matching request(s) and is then spent. Token requests
 * are never faulted (the refresh path has its own tests through revoked tokens).
 */
export class YouTubeFaults {
  private pendingErrors: (() => GoogleApiError)[] = [];
  private uploadBreaks: number[] = [];

  /** The next `count` API calls (session starts, chunks, lists) get 403 rateLimitExceeded. */
  rateLimitNext(count = 1): void {
    for (let i = 0; i < count; i += 1) this.pendingErrors.push(rateLimitExceeded);
  }

  /** The next `count` API calls get 503 backendError. */
  serverErrorNext(count = 1): void {
    for (let i = 0; i < count; i += 1) this.pendingErrors.push(backendError);
  }

  /**
   * The next upload PUT keeps its first `afterBytes` bytes, then the connection drops without an
   * answer: the client must ask the session how far it got (`Content-Range: bytes *\/N`) and resume.
   */
  breakNextUpload({ afterBytes }: { afterBytes: number }): void {
    this.uploadBreaks.push(afterBytes);
  }

  /** @internal The error to answer instead, when one is armed. */
  takeError(): GoogleApiError | undefined {
    return this.pendingErrors.shift()?.();
  }

  /** @internal How many bytes the next upload PUT keeps before its connection drops, when armed. */
  takeUploadBreak(): number | undefined {
    return this.uploadBreaks.shift();
  }

  clear(): void {
    this.pendingErrors = [];
    this.uploadBreaks = [];
  }
}
