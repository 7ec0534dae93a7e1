// Every limit the dashboard's server side enforces, named once. The page's
// own limits (timeline length, samples kept) are constants in its assets.

import { RECENT_FENCING_KEPT } from '../http/limits.js';
import { MAX_VALUE_BYTES } from '../kv/keys.js';

/** How often a snapshot of the whole cluster is pushed to every open dashboard. */
export const SNAPSHOT_INTERVAL_MS = 250;

/**
 * A node's /status answer must arrive within this long, or the node shows as
 * down. Longer than the snapshot interval on purpose: a slow node keeps its
 * last answer for a few snapshots rather than flickering, and never delays the
 * snapshots of the others (each node is asked on its own).
 */
export const STATUS_FETCH_TIMEOUT_MS = 750;

/** /status requests in flight at once from one dashboard (a 9-node cluster is asked in two waves at most). */
export const STATUS_FETCH_CONCURRENCY = 8;

/** A /status answer larger than this is refused (a node's status is a few hundred bytes per follower). */
export const MAX_STATUS_BYTES = 256 * 1024;

/** Open event streams per server; the next one gets 503 and the page retries later. */
export const MAX_SSE_CLIENTS = 16;

/** A comment line sent this often keeps idle proxies from closing the stream. */
export const SSE_KEEPALIVE_INTERVAL_MS = 15_000;

/** What the browser waits before reconnecting a dropped stream (the SSE `retry:` field). */
export const SSE_RETRY_MS = 1_000;

/** A client that lets this much pile up unread is disconnected instead of buffered without end. */
export const MAX_SSE_CLIENT_BUFFER_BYTES = 1024 * 1024;

/** Recent events kept to replay to a page that connects later (its timeline starts with them). */
export const RECENT_EVENTS_KEPT = 100;

/** An event whose JSON is longer than this is passed on as its type alone. */
export const MAX_EVENT_JSON_CHARS = 4096;

/** A request the page sends through this server to another node (following the leader) must finish within this. */
export const FORWARD_TIMEOUT_MS = 10_000;

/** The largest body forwarded: the largest value twice over (as the node's own HTTP limit), plus slack for JSON. */
export const MAX_FORWARD_BODY_BYTES = 2 * MAX_VALUE_BYTES + 64 * 1024;

/** A node's /status lists at most RECENT_FENCING_KEPT fencings; from a peer (another version, perhaps) no more than this are read. */
export const MAX_FENCING_READ_PER_NODE = RECENT_FENCING_KEPT;

/** A fencing's detail from a peer is cut to this many characters. */
export const MAX_FENCING_DETAIL_CHARS = 300;

/**
 * Fencings already put on the timeline, remembered (oldest forgotten first)
 * so that one seen pushed and again in every later /status is shown once.
 * Enough for every node's whole /status list many times over.
 */
export const MAX_FENCINGS_REMEMBERED = 1024;
