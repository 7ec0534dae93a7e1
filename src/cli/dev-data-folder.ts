// What a dev data folder already holds: the node folders (`n1`, `n2`, ...)
// an earlier `replikit dev --data DIR` made. Starting with another node
// count would bootstrap a different set of voters over the old logs, and
// the extra nodes would wait as pre-candidates forever without a word.

import { existsSync, readdirSync } from 'node:fs';

const NODE_FOLDER = /^n\d+$/;

/** The node folders in `dataDir`, in node order; none for a new or empty folder. */
export function existingNodeFolders(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && NODE_FOLDER.test(entry.name))
    .map((entry) => entry.name)
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

/** Why `nodes` cannot start on `dataDir`, or null. */
export function nodeCountProblem(dataDir: string, nodes: number): string | null {
  const folders = existingNodeFolders(dataDir);
  if (folders.length === 0 || folders.length === nodes) return null;
  return (
    `${dataDir} holds the data of a ${folders.length}-node cluster (${folders.join(', ')}), not ${nodes}: ` +
    `start it with --nodes ${folders.length}, or give another --data folder`
  );
}
