/** The hop benchmark's consumer: reports when the handler was entered, and accepts the whole batch. */
export async function handler(): Promise<{ batchItemFailures: never[]; enteredAt: number }> {
  return { batchItemFailures: [], enteredAt: performance.timeOrigin + performance.now() };
}
