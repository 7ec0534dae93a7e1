// Every bound of a verify campaign in one place: how long each wait may last,
// how many times each loop may turn. A campaign must end even when the
// cluster under test never recovers.

/** An admin or /status request to one node gives up after this (a SIGSTOPped node never answers). */
export const ADMIN_REQUEST_TIMEOUT_MS = 2_000;
/** A node process that does not answer /status this long after being spawned counts as failed to start. */
export const NODE_START_TIMEOUT_MS = 20_000;
/** A SIGKILLed process that has not exited after this is reported (it cannot survive SIGKILL; something is wrong). */
export const PROCESS_EXIT_TIMEOUT_MS = 5_000;
/** A freshly started cluster must elect a leader within this. */
export const FIRST_LEADER_TIMEOUT_MS = 20_000;
/** After a fault is recovered, the cluster must agree on a leader again within this, else a finding is reported. */
export const RECOVERY_TIMEOUT_MS = 15_000;
/** After corrupt-tail, the repaired node must catch up with the leader within this. */
export const CATCH_UP_TIMEOUT_MS = 20_000;
/** Between two looks at /status while waiting for something. */
export const POLL_INTERVAL_MS = 100;

/** One client HTTP request gives up after this (below the server's 5 s write timeout: a paused leader costs less). */
export const CLIENT_REQUEST_TIMEOUT_MS = 1_500;
/** One client call, retries included, gives up after this. */
export const CLIENT_CALL_TIMEOUT_MS = 4_000;
export const CLIENT_MAX_RETRIES = 8;
export const CLIENT_BACKOFF_MS = { min: 20, max: 400 } as const;
/** Ops per second across all clients unless --rate says otherwise: enough load to see faults, few enough ops to check. */
export const DEFAULT_RATE_OPS_PER_S = 400;
/** After the run: waiting for a leader and every key's final read (each try recorded) share this. */
export const FINAL_PHASE_BUDGET_MS = 30_000;
/** Once the run is over, a fault's recovery waits at most this for a leader (the final phase waits again). */
export const SETTLE_AFTER_STOP_MS = 5_000;
/** Clients in flight when the run ends get this long to finish before they are closed (their ops then end as unknown). */
export const CLIENT_DRAIN_TIMEOUT_MS = CLIENT_CALL_TIMEOUT_MS + 2_000;

/** A fault lasts between these (kill, pause, partition, membership); transfer is instantaneous. */
export const FAULT_HOLD_MIN_MS = 1_000;
export const FAULT_HOLD_MAX_MS = 3_000;
/** Quiet time before each fault; with the hold, one fault every ~2-5 s. */
export const QUIET_MIN_MS = 1_000;
export const QUIET_MAX_MS = 2_000;
/** Share of targeted faults aimed at the leader (the interesting case); the rest pick any node. */
export const LEADER_TARGET_PROBABILITY = 0.6;
/** corrupt-tail damages this many of the last log records at most (at least one). */
export const CORRUPT_TAIL_MAX_RECORDS = 3;
/** Bytes flipped in each damaged record. */
export const CORRUPT_BYTES_PER_RECORD = 4;
/** Faults in one campaign at most, whatever --time says (a bound on the nemesis loop). */
export const MAX_FAULTS = 10_000;

/** Checking: search steps and visited-set memory per key (see src/check); past them the key is "unknown". */
export const CHECK_MAX_STEPS = 5_000_000;
export const CHECK_MAX_CACHE_BYTES = 256 * 1024 * 1024;
/** A key whose check runs longer than this is "unknown" (its worker thread is stopped). */
export const CHECK_KEY_TIMEOUT_MS = 60_000;
/** A checking worker's heap; past it the worker dies and the key is "unknown". */
export const CHECK_WORKER_HEAP_MB = 1_024;

/** Node processes at most in one campaign, spares included. */
export const MAX_NODES = 9;
export const MAX_CLIENTS = 100;
export const MAX_KEYS = 1_000;
export const MAX_TIME_S = 24 * 60 * 60;
