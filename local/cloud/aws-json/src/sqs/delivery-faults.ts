/**
 * Fault injection for ReceiveMessage, off unless a hook is registered.
 * - 'deliver': the normal path.
 * - 'duplicate': deliver, and leave a second copy (same MessageId) visible, as SQS's at-least-once may.
 * - 'drop-until-visible': count the receive and hide the message for its visibility timeout, but do
 *   not return it (a lost response): the consumer sees it again only after the timeout.
 * - { delayMs }: do not return it now; it becomes receivable again after delayMs (no receive counted).
 * - { dropForMs }: like 'drop-until-visible', but hidden for dropForMs instead of the visibility
 *   timeout (a consumer that fails on it quickly), so a poison message dead-letters in seconds.
 * - 'hold': do not return it; it stays unreceivable (counted as delayed) until SqsBackend.releaseHeld
 *   puts it back, at the end of the queue, in the order the caller chooses (reordering).
 */
export type DeliveryDecision =
  | 'deliver'
  | 'duplicate'
  | 'drop-until-visible'
  | 'hold'
  | { delayMs: number }
  | { dropForMs: number };

/** What a hook sees of the message about to be delivered. */
export interface DeliveryCandidate {
  messageId: string;
  body: string;
  /** Receives so far, not counting this one. */
  receiveCount: number;
  /** Wire form: DataType with StringValue or base64 BinaryValue. */
  messageAttributes: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export type BeforeDeliverHook = (
  queueName: string,
  message: DeliveryCandidate,
) => DeliveryDecision | undefined;
