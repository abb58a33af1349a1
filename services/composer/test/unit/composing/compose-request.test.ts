import { S3Client } from '@aws-sdk/client-s3';
import { makeSceneReady } from '@reelay/events';
import {
  type ComposeRequestDeps,
  composeRequest,
  LEASE_RECHECK_SEC,
  secondsBeforeRecheck,
} from '../../../src/composing/compose-request';
import type { ComposedOutput, JobComposition, SceneSet } from '../../../src/scenes/scene-set';

type LeaseStore = Pick<
  SceneSet,
  'get' | 'claimLease' | 'renewLease' | 'recordComposed' | 'recordPublished' | 'releaseLease'
>;

/** The composer table's one item per job, with the lease conditions SceneSet writes to DynamoDB. */
function sceneStore(item: JobComposition): LeaseStore & { item: JobComposition } {
  return {
    item,
    get: async () => structuredClone(item),
    claimLease: async (_jobId, owner, now, until) => {
      if (item.publishedAt || (item.leaseUntil !== undefined && !(item.leaseUntil < now))) return false;
      Object.assign(item, { leaseOwner: owner, leaseUntil: until });
      return true;
    },
    renewLease: async (_jobId, owner, until) => {
      if (item.publishedAt || item.leaseOwner !== owner) return false;
      item.leaseUntil = until;
      return true;
    },
    recordComposed: async (_jobId, owner, composed) => {
      if (item.leaseOwner !== owner) throw new Error('ConditionalCheckFailed');
      item.composed = composed;
    },
    recordPublished: async (_jobId, at) => {
      item.publishedAt = at;
      delete item.leaseUntil;
    },
    releaseLease: async (_jobId, owner) => {
      if (item.leaseOwner !== owner) return;
      delete item.leaseOwner;
      delete item.leaseUntil;
    },
  };
}

const T0 = Date.parse('2026-12-05T12:00:00Z');

/** A one-scene job whose video a composer recorded before it died, still holding the lease. */
function composedByDeadComposer(leaseUntil: number): JobComposition {
  const ready = makeSceneReady({ sceneIndex: 0, sceneCount: 1 });
  const composed: ComposedOutput = {
    key: `jobs/${ready.jobId}/final.mp4`,
    thumbnailKey: `jobs/${ready.jobId}/thumbnail.jpg`,
    durationSec: 1,
    width: 854,
    height: 480,
    bytes: 1000,
    sha256: 'a'.repeat(64),
    composeMs: 900,
  };
  return {
    jobId: ready.jobId,
    sceneCount: 1,
    prepared: new Set([0]),
    output: ready.output,
    meta: ready.meta,
    durations: { 0: 1 },
    scenes: { 0: { kind: 'video', durationSec: 1 } },
    transitions: {},
    leaseOwner: 'dead-composer',
    leaseUntil,
    composed,
  };
}

function request(store: LeaseStore, now: number) {
  const requeued: number[] = [];
  const published: unknown[] = [];
  const deps: ComposeRequestDeps = {
    // Never called on these paths: the video is already recorded, nothing is read from S3.
    s3: new S3Client({ region: 'us-east-1' }),
    bucket: 'media',
    scenes: store,
    publisher: { publish: async (_type, detail) => void published.push(detail) },
    owner: `composer-at-${now}`,
    leaseMs: 60_000,
    now: () => now,
    requeue: async (delaySec) => void requeued.push(delaySec),
  };
  return { deps, requeued, published };
}

describe('a compose request that finds the composition leased by another composer', () => {
  it('is not dropped: it is queued again to look just after the lease ends', async () => {
    // Prepare: the composer that holds the lease died 10 s before its lease ends.
    const store = sceneStore(composedByDeadComposer(T0 + 10_000));
    const { deps, requeued, published } = request(store, T0);

    // Act
    const outcome = await composeRequest(store.item.jobId, deps);

    // Assess: the same request comes back once the lease can be claimed; nothing published yet.
    expect(outcome).toBe('requeued');
    expect(requeued).toEqual([11]);
    expect(published).toEqual([]);
    expect(store.item.leaseOwner).toBe('dead-composer');
  });

  it('looks again within LEASE_RECHECK_SEC while a long lease stands, until it can claim it and finish the job once', async () => {
    // Prepare: a lease that ends 40 s from now (its holder died).
    const store = sceneStore(composedByDeadComposer(T0 + 40_000));

    // Act: the request comes back each time after the delay it was queued with.
    const delays: number[] = [];
    let now = T0;
    let last = request(store, now);
    for (let look = 0; look < 10; look++) {
      last = request(store, now);
      if ((await composeRequest(store.item.jobId, last.deps)) !== 'requeued') break;
      const [delay = 0] = last.requeued;
      delays.push(delay);
      now += delay * 1000;
    }

    // Assess: three looks of at most 15 s, then the recorded video is published once.
    expect(delays).toEqual([LEASE_RECHECK_SEC, LEASE_RECHECK_SEC, 11]);
    expect(last.published).toEqual([expect.objectContaining({ jobId: store.item.jobId, sceneCount: 1 })]);
    expect(store.item.publishedAt).toBeDefined();
  });

  it('is consumed when the video is already published', async () => {
    // Prepare
    const store = sceneStore({ ...composedByDeadComposer(T0 + 30_000), publishedAt: 'earlier' });
    const { deps, requeued, published } = request(store, T0);

    // Act
    const outcome = await composeRequest(store.item.jobId, deps);

    // Assess
    expect(outcome).toBe('already-published');
    expect(requeued).toEqual([]);
    expect(published).toEqual([]);
  });
});

describe('when a waiting request looks at a lease again', () => {
  it('just past the lease, at once for an ended one, and never later than LEASE_RECHECK_SEC', () => {
    expect(secondsBeforeRecheck(T0 + 1_500, T0)).toBe(2);
    expect(secondsBeforeRecheck(T0 + 2_000, T0)).toBe(3);
    expect(secondsBeforeRecheck(T0 - 5_000, T0)).toBe(0);
    expect(secondsBeforeRecheck(T0 + 13 * 3600_000, T0)).toBe(LEASE_RECHECK_SEC);
    expect(secondsBeforeRecheck(undefined, T0)).toBe(0);
  });
});
