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
