/** What a started cloud must stop, stopped in the reverse order it was started; a failing stop does not keep the rest running. */
export class Closers {
  private readonly closers: Array<() => Promise<void>> = [];

  add(...closers: Array<() => Promise<void>>): void {
    this.closers.push(...closers);
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
  }
}

/**
 * Starts servers side by side and waits for every one to settle before it reports the first
 * failure: with Promise.all a failed start would close the cloud while a slower server was still
 * starting, and that one, added to the closers afterwards, would be left running.
 */
export async function startTogether<T extends readonly unknown[]>(
  starts: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
