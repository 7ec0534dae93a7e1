// The faults a campaign can inject, and which of them need the processes.

export const NEMESIS_NAMES = ['kill', 'pause', 'partition', 'transfer', 'membership', 'corrupt-tail'] as const;
export type NemesisName = (typeof NEMESIS_NAMES)[number];

/** These signal or restart node processes: only for a cluster the campaign launched. */
export const PROCESS_NEMESES: readonly NemesisName[] = ['kill', 'pause', 'corrupt-tail'];

export function isNemesisName(name: string): name is NemesisName {
  return (NEMESIS_NAMES as readonly string[]).includes(name);
}
