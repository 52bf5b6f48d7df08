import { describe, expect, it } from 'vitest';
import { DatabaseUnavailable, POOL_TIMEOUT_MESSAGE } from '../../src/db/database';
import { HttpError } from '../../src/server/errors';
import { outageError } from '../../src/server/unavailable';
import { errorPage } from '../../src/server/ui/layout';

describe('outageError', () => {
  it('answers 503 with Retry-After when the database pool has no connection free in time', () => {
    // pg-pool's own error for a request that waited too long for a connection (it carries no code).
    const err = outageError(new Error(POOL_TIMEOUT_MESSAGE));
    expect(err?.status).toBe(503);
    expect(err?.code).toBe('database_unavailable');
    expect(err?.extra.headers?.['Retry-After']).toBeDefined();
  });

  it('finds the outage in a cause chain, and leaves our own bugs and HttpErrors alone', () => {
    expect(outageError(new Error('query failed', { cause: new DatabaseUnavailable('down') }))?.status).toBe(503);
    expect(outageError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))?.status).toBe(503);
    expect(outageError(new TypeError("cannot read properties of undefined (reading 'length')"))).toBeUndefined();
    expect(outageError(new HttpError(409, 'conflict'))).toBeUndefined();
  });
});

describe('the page a browser gets while Temporal is away', () => {
  it('says Temporal is unreachable without the API advice on Idempotency-Key, which a page reader cannot use', () => {
    // What the availability gate answers while Temporal is away: gRPC UNAVAILABLE.
    const err = outageError(
      Object.assign(new Error('14 UNAVAILABLE: Temporal is unreachable'), {
        code: 14,
        details: 'Temporal is unreachable',
      }),
    )!;
    expect(err.message).toContain('Idempotency-Key'); // the API's answer keeps it
    const page = errorPage(undefined, 503, err.message);
    expect(page).toMatch(/class="outage" role="alert">Temporal is unreachable/);
    expect(page).not.toContain('Idempotency-Key');
  });
});
