// Free TCP ports on loopback, asked of the kernel (listen on port 0). All the
// listeners stay open until every port is known, so one call never hands out
// the same port twice; another program could still take one before the node
// binds it, which the launcher reports as a node that failed to start.

import { createServer, type Server } from 'node:net';

export const LOOPBACK = '127.0.0.1';

export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, LOOPBACK, () => {
            const address = server.address();
            if (address === null || typeof address === 'string') reject(new Error('listen gave no port'));
            else resolve(address.port);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
