import type { DecodedEvent } from '@reelay/events';
import { ulid } from 'ulid';
import type { LedgerEvents } from '../../src/projection/ledger-events';

type Detail<T extends LedgerEvents['detailType']> = DecodedEvent<LedgerEvents> & { type: T };

const SOURCE_OF: Record<string, string> = {
  JobRequested: 'reelay.api',
  ScenePlanned: 'reelay.generator',
  SceneReady: 'reelay.generator',
  VideoComposed: 'reelay.composer',
  JobFailed: 'reelay.composer',
};

/** A decoded event as the project handler receives it, from a detail built by a libs/events factory. */
export function decoded<T extends LedgerEvents['detailType']>(
  type: T,
  detail: Detail<T>['detail'],
): DecodedEvent<LedgerEvents> {
  return {
    type,
    detail,
    envelope: {
      id: ulid(),
      detailType: type,
      source: SOURCE_OF[type] ?? 'reelay.api',
      time: detail.meta.occurredAt,
    },
  } as DecodedEvent<LedgerEvents>;
}
