import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeScenePlanned } from '@reelay/events';
import { ModelOutputRejectedError, ModelUnavailableError } from '../../../src/errors';
import { downloadOutput, hostAllowed, type OutputPolicy } from '../../../src/rendering/download-output';
import { findClaimedPrediction } from '../../../src/rendering/find-claimed-prediction';
import { networkErrorsAreTransient } from '../../../src/rendering/network-errors';
import {
  classifyReplicateError,
  createReplicate,
  rateLimitWaitSec,
} from '../../../src/rendering/replicate-client';

/** A port nothing listens on (any more): the connection is refused, a real `TypeError: fetch failed`. */
let CLOSED = '';
beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  CLOSED = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
});

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );

describe('a 429 whose wait is only in the body', () => {
  it('waits as long as the body says, not the 5 s default', async () => {
    // Prepare: Replicate's throttling answer without Retry-After.
    const replicate = createReplicate('r8_test', 'http://models.test/v1', async () =>
      Response.json(
        {
          title: 'Request was throttled',
          detail: 'Request was throttled. Your rate limit resets in ~30s.',
          status: 429,
        },
        { status: 429 },
      ),
    );

    // Act
    const error = await failureOf(replicate.predictions.get('p1'));

    // Assess
    expect(rateLimitWaitSec(error)).toBe(30);
    expect((classifyReplicateError(error) as Error).message).toContain('retry after 30s');
  });

  it('still prefers Retry-After when the answer has it', async () => {
    const replicate = createReplicate('r8_test', 'http://models.test/v1', async () =>
      Response.json(
        { detail: 'Your rate limit resets in ~30s.' },
        { status: 429, headers: { 'retry-after': '7' } },
      ),
    );

    expect(rateLimitWaitSec(await failureOf(replicate.predictions.get('p1')))).toBe(7);
  });
});

describe('network errors on the way to Replicate are transient', () => {
  it('a refused connection on a client call is ModelUnavailableError naming the cause', async () => {
    const replicate = createReplicate('r8_test', `${CLOSED}/v1`);

    const error = classifyReplicateError(await failureOf(replicate.predictions.get('p1')));

    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('the lost-prediction search turns a network error into ModelUnavailableError, not a raw TypeError', async () => {
    const replicate = createReplicate('r8_test', `${CLOSED}/v1`);
    const claim = {
      token: '8d0e7c9a-1f7e-4a53-9a55-6a1e6c1b1f00',
      createStartedAt: new Date().toISOString(),
      scene: makeScenePlanned({}),
    };

    const error = await failureOf(findClaimedPrediction(replicate, claim));

    expect(error).toBeInstanceOf(ModelUnavailableError);
  });

  it('an output download that cannot connect is ModelUnavailableError (the store is retried)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'download-'));
    try {
      const policy: OutputPolicy = { allowedHosts: [], allowedOrigins: [CLOSED], maxBytes: 1000 };

      const error = await failureOf(downloadOutput(`${CLOSED}/out.mp4`, join(dir, 'out'), policy));

      expect(error).toBeInstanceOf(ModelUnavailableError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a raw fetch failure escaping a RenderScene task leaves it as ModelUnavailableError', async () => {
    const task = networkErrorsAreTransient(async () => fetch(`${CLOSED}/v1/predictions`));

    const error = await failureOf(task());

    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).name).toBe('ModelUnavailableError');
  });

  it('other errors of a task pass through unchanged', async () => {
    const task = networkErrorsAreTransient(async () => {
      throw new ModelOutputRejectedError('no');
    });

    expect(await failureOf(task())).toBeInstanceOf(ModelOutputRejectedError);
  });
});

describe('model output hosts', () => {
  const policy: OutputPolicy = { allowedHosts: ['replicate.delivery'], allowedOrigins: [], maxBytes: 64 };

  it('allows replicate.delivery and any subdomain of it, nothing that merely ends like it', () => {
    expect(hostAllowed('replicate.delivery', policy.allowedHosts)).toBe(true);
    expect(hostAllowed('pbxt.replicate.delivery', policy.allowedHosts)).toBe(true);
    expect(hostAllowed('xezq.replicate.delivery', policy.allowedHosts)).toBe(true);
    expect(hostAllowed('evilreplicate.delivery', policy.allowedHosts)).toBe(false);
    expect(hostAllowed('replicate.delivery.example.com', policy.allowedHosts)).toBe(false);
  });

  it('downloads from a new subdomain over https, refuses http and redirects elsewhere, caps the size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'download-'));
    const served = async (input: string | URL | Request) => {
      const url = new URL(String(input));
      if (url.pathname === '/moved')
        return new Response(null, { status: 302, headers: { location: 'https://example.com/x' } });
      if (url.pathname === '/big') return new Response(new Uint8Array(100));
      return new Response(new Uint8Array(10));
    };
    try {
      const ok = await downloadOutput(
        'https://xezq.replicate.delivery/a/out.mp4',
        join(dir, 'a'),
        policy,
        served as typeof fetch,
      );
      const plain = await failureOf(
        downloadOutput('http://xezq.replicate.delivery/a', join(dir, 'b'), policy, served as typeof fetch),
      );
      const moved = await failureOf(
        downloadOutput(
          'https://xezq.replicate.delivery/moved',
          join(dir, 'c'),
          policy,
          served as typeof fetch,
        ),
      );
      const big = await failureOf(
        downloadOutput('https://xezq.replicate.delivery/big', join(dir, 'd'), policy, served as typeof fetch),
      );

      expect(ok.bytes).toBe(10);
      expect(plain).toBeInstanceOf(ModelOutputRejectedError);
      expect(moved).toBeInstanceOf(ModelOutputRejectedError);
      expect(big).toBeInstanceOf(ModelOutputRejectedError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
