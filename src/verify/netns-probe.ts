// Whether this machine would let a campaign put nodes in network namespaces
// (a later improvement over the transport's own fault controls): tries
// `ip netns add` with a throwaway name and deletes it again.

import { execFile } from 'node:child_process';

const PROBE_TIMEOUT_MS = 3_000;

export async function probeNetworkNamespaces(): Promise<string> {
  const name = `replikit-verify-probe-${process.pid}`;
  const added = await run(['netns', 'add', name]);
  if (added === null) {
    await run(['netns', 'delete', name]);
    return '`ip netns add` works on this machine (the probe namespace was created and deleted), so namespaces could replace the transport controls later';
  }
  return `\`ip netns add\` is not allowed here (${added}), so the transport controls are the only partition mechanism available`;
}

/** Null on success, else why not. */
function run(args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('ip', args, { timeout: PROBE_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) resolve(null);
      else resolve((stderr.trim() || error.message).split('\n')[0] ?? 'failed');
    });
  });
}
