export type { ReceiveHandler, Transport, TransportStats } from './types.js';
export {
  createMessagePortTransport,
  DEFAULT_MAX_IN_FLIGHT_BYTES_PER_PEER,
  DEFAULT_MAX_IN_FLIGHT_MESSAGES_PER_PEER,
  DEFAULT_MAX_MESSAGES_PER_BATCH,
  DEFAULT_WIRE_ENCODING,
  type MessagePortTransportOptions,
  type WireEncoding,
} from './message-port-transport.js';
export {
  createFaultyTransport,
  MAX_DELAYED_MESSAGES,
  NO_FAULTS,
  type FaultStats,
  type FaultyTransport,
  type FaultyTransportOptions,
  type NetworkFaults,
} from './faulty-transport.js';
export { createSeededRandom, type RandomSource } from './seeded-random.js';
export {
  createTcpTransport,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_PENDING_HANDSHAKES,
  DEFAULT_MAX_QUEUED_BYTES_PER_PEER,
  DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER,
  DEFAULT_MIN_BACKOFF_MS,
  type TcpAddress,
  type TcpPeerStatus,
  type TcpTlsOptions,
  type TcpTransport,
  type TcpTransportLimits,
  type TcpTransportOptions,
  type TcpTransportStats,
} from './tcp/index.js';
