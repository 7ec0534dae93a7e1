// Free TCP ports on loopback for nodes started later. They are drawn below the
// kernel's ephemeral range: a port from that range can be taken in between as
// the local port of any outgoing connection (a peer dialing a node that is not
// up yet, an HTTP client), and the node then fails to bind it with EADDRINUSE.
// All the listeners stay open until every port is known, so one call never
// hands out the same port twice; another program could still take one before
// the node binds it, which the launcher reports as a node that failed to start.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** The lowest port handed out: below it sit well-known services. */
const LOWEST_PORT = 10_000;
/** Where Linux starts its ephemeral range by default, when the kernel cannot be asked. */
const DEFAULT_EPHEMERAL_START = 32_768;
/** Random ports tried per call before falling back to ports the kernel picks. */
const MAX_PORT_ATTEMPTS = 500;

export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    const top = ephemeralStart();
    for (let attempts = 0; ports.length < count && attempts < MAX_PORT_ATTEMPTS && top > LOWEST_PORT; attempts++) {
      const candidate = LOWEST_PORT + Math.floor(Math.random() * (top - LOWEST_PORT));
      if (ports.includes(candidate)) continue;
      const server = createServer();
      if ((await listen(server, candidate)) !== null) {
        servers.push(server);
        ports.push(candidate);
      }
    }
    while (ports.length < count) {
      const server = createServer();
      const port = await listen(server, 0);
      if (port === null) throw new Error('no free loopback port');
      servers.push(server);
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** The bound port, or null when `port` is taken. */
function listen(server: Server, port: number): Promise<number | null> {
  return new Promise((resolve) => {
    server.once('error', () => resolve(null));
    server.listen(port, LOOPBACK, () => {
      const address = server.address();
      resolve(address !== null && typeof address === 'object' ? address.port : null);
    });
  });
}

function ephemeralStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 0 ? start : DEFAULT_EPHEMERAL_START;
  } catch {
    return DEFAULT_EPHEMERAL_START;
  }
}
