// Ports for nodes started later come from below the kernel's ephemeral range,
// where no outgoing connection can be holding one when its node binds it.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { freeLoopbackPorts, LOOPBACK } from '../../src/verify/free-ports.js';

it('hands out distinct, bindable ports below the ephemeral range', async () => {
  const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  const ports = await freeLoopbackPorts(8);
  expect(new Set(ports).size).toBe(8);
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(ephemeralStart);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK, () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
