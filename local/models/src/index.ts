/**
 * The local Replicate-compatible model server: the default model provider when no
 * REPLICATE_API_TOKEN is set, and the fake that fault tests drive.
 */
export { LOCAL_MODELS } from './catalog';
export type { ArmedFault, FaultKind, FaultMatch, ModelFault, ModelFaults } from './faults';
export type { PredictionRecord, PredictionStatus } from './prediction';
export type { LocalModelServer, LocalModelServerOptions } from './server';
export { startLocalModelServer } from './server';
export type { WebhookAttempt, WebhookEvent } from './webhook-delivery';
export { newWebhookSecret, signWebhook, webhookSigningKey } from './webhook-signing';
