// One simulated run is fully described by its options; the seed decides
// everything else (fault rates, timings, client choices), so a seed replays.

import type { PlantedBug, ReplicationMode } from '../../src/core/index.js';
import { createRandom, type Random } from '../../src/core/index.js';

export interface SimOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly mode: ReplicationMode;
  readonly plantedBug: PlantedBug | null;
  /** Ticks of faults and client load, then ticks of calm for the cluster to settle. */
  readonly chaosTicks: number;
  readonly calmTicks: number;
  readonly clients: number;
  readonly keys: number;
  /** Run the XState role machine (true) or the plain driver (false). */
  readonly xstate: boolean;
  /**
   * `chaos` (the default): faults drawn from the seed. `calm-busy`: no fault at all, only stalls and
   * delays (calmBusyWeather), where leadership must never move.
   */
  readonly weather?: 'chaos' | 'calm-busy';
  /** Overrides the weather's election timeout; patience then stays at it. */
  readonly electionTimeoutTicks?: number;
}

export const DEFAULT_SIM_OPTIONS: Omit<SimOptions, 'seed' | 'nodes'> = {
  mode: 'quorum',
  plantedBug: null,
  chaosTicks: 600,
  calmTicks: 250,
  clients: 5,
  keys: 3,
  xstate: true,
};

/** Fault and timing knobs drawn from the seed, so seeds explore different weather. */
export interface SimWeather {
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly maxDelayTicks: number;
  readonly maxFsyncTicks: number;
  readonly crashRate: number;
  readonly restartRate: number;
  readonly partitionRate: number;
  /** Crash or isolate a newly elected leader soon after: divergent tails of many terms (Raft's Figure 8). */
  readonly cutOffNewLeaderRate: number;
  readonly healRate: number;
  readonly transferRate: number;
  readonly membershipRate: number;
  readonly compactEveryEntries: number;
  readonly maxEntriesPerAppend: number;
  readonly maxInflightAppends: number;
  readonly clientRate: number;
  readonly leaseReads: boolean;
  readonly electionTimeoutTicks: number;
  /** How patient a follower may grow after it saw its leader stall (equal to the timeout: never). */
  readonly maxElectionTimeoutTicks: number;
  /** Chance per tick that a node's loop stalls, and for how long at most. */
  readonly stallRate: number;
  readonly maxStallTicks: number;
  /** Chance that a node learns a crashed peer is gone (its channel closed), per node and crash. */
  readonly crashEvidenceRate: number;
}

export function drawWeather(random: Random): SimWeather {
  return {
    dropRate: random.pick([0, 0.01, 0.05, 0.1]),
    duplicateRate: random.pick([0, 0.01, 0.05]),
    maxDelayTicks: random.pick([0, 1, 2, 4]),
    maxFsyncTicks: random.pick([0, 1, 2]),
    crashRate: random.pick([0, 0.005, 0.01, 0.02]),
    restartRate: random.pick([0.02, 0.05, 0.1]),
    partitionRate: random.pick([0, 0.005, 0.01]),
    cutOffNewLeaderRate: random.pick([0, 0.3, 0.6, 0.9]),
    healRate: random.pick([0.01, 0.03]),
    transferRate: random.pick([0, 0.002, 0.005]),
    membershipRate: random.pick([0, 0.002, 0.005]),
    compactEveryEntries: random.pick([8, 32, 128]),
    maxEntriesPerAppend: random.pick([1, 1, 2, 4, 64]),
    maxInflightAppends: random.pick([1, 1, 4, 16]),
    clientRate: random.pick([0.1, 0.3, 0.6]),
    leaseReads: random.chance(0.5),
    ...drawTiming(random),
    stallRate: random.pick([0, 0.005, 0.02]),
    maxStallTicks: random.pick([2, 5, 12]),
    crashEvidenceRate: random.pick([0, 0.5, 1]),
  };
}

function drawTiming(random: Random): Pick<SimWeather, 'electionTimeoutTicks' | 'maxElectionTimeoutTicks'> {
  const electionTimeoutTicks = random.pick([6, 10]);
  return { electionTimeoutTicks, maxElectionTimeoutTicks: electionTimeoutTicks * random.pick([1, 2]) };
}

/**
 * The weather of a healthy but busy machine: no crash, no partition, no lost message, but loops
 * that stall, slow fsyncs and delays, each well under the election timeout (heartbeats every tick, a
 * timeout of 10: like 100 ms heartbeats, a 1 s timeout and stalls of up to 300 ms). Leadership must
 * not move in it: a liveness check, not a safety one.
 */
export function calmBusyWeather(seed: number): SimWeather {
  const random = createRandom(seed ^ 0xca1b);
  return {
    dropRate: 0,
    duplicateRate: random.pick([0, 0.01]),
    maxDelayTicks: random.pick([0, 1, 2]),
    maxFsyncTicks: random.pick([0, 1]),
    crashRate: 0,
    restartRate: 0,
    partitionRate: 0,
    cutOffNewLeaderRate: 0,
    healRate: 0,
    transferRate: 0,
    membershipRate: 0,
    compactEveryEntries: random.pick([32, 128]),
    maxEntriesPerAppend: random.pick([4, 64]),
    maxInflightAppends: random.pick([4, 16]),
    clientRate: random.pick([0.3, 0.6]),
    leaseReads: random.chance(0.5),
    electionTimeoutTicks: 10,
    maxElectionTimeoutTicks: 20,
    stallRate: random.pick([0.01, 0.03]),
    maxStallTicks: 3,
    crashEvidenceRate: 1,
  };
}

export function weatherFor(seed: number): SimWeather {
  // A stream of its own, so changing how the run uses randomness leaves the weather alone.
  return drawWeather(createRandom(seed ^ 0x5eed5eed));
}
