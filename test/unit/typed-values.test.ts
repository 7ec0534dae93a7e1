// Values carry the caller's type: get<T>() gives T back, on the embedded API,
// its sessions, the client library and its sessions. Checked by the type
// checker (npm run typecheck covers test/); a wrong type here fails CI.

import { describe, expectTypeOf, it } from 'vitest';
import type { ReplikitClient } from '../../src/client/index.js';
import type { Cluster } from '../../src/index.js';

interface User {
  readonly name: string;
}

declare const cluster: Cluster;
declare const client: ReplikitClient;

describe('typed values', () => {
  it('get<T>() reads T, and unknown without a type argument', () => {
    const fromCluster = async () => (await cluster.get<User>('user:1'))?.value;
    const fromClusterSession = async () => (await cluster.session().get<User>('user:1'))?.value;
    const fromClient = async () => (await client.get<User>('user:1'))?.value;
    const fromClientSession = async () => (await client.session().get<User>('user:1'))?.value;
    const untyped = async () => (await client.get('user:1'))?.value;
    expectTypeOf(fromCluster).returns.resolves.toEqualTypeOf<User | undefined>();
    expectTypeOf(fromClusterSession).returns.resolves.toEqualTypeOf<User | undefined>();
    expectTypeOf(fromClient).returns.resolves.toEqualTypeOf<User | undefined>();
    expectTypeOf(fromClientSession).returns.resolves.toEqualTypeOf<User | undefined>();
    expectTypeOf(untyped).returns.resolves.toEqualTypeOf<unknown>();
  });
});
