// Plain TCP or mutual TLS, chosen once per transport. With TLS both ends
// present a certificate and both verify the other's against the configured CA
// (`requestCert` + `rejectUnauthorized`); the dialer also checks that the
// listener's certificate names the host it dialed (Node's default
// checkServerIdentity, so peers' certificates need a matching subjectAltName).
// The shared-secret handshake runs inside the TLS session either way: TLS
// says "someone our CA vouched for", the handshake says which node of which
// cluster it is.

import * as net from 'node:net';
import * as tls from 'node:tls';
import type { TcpAddress, TcpTlsOptions } from './options.js';

export interface SocketFactory {
  /** Starts a connection; `onOpen` runs once it can carry the handshake (after the TLS handshake with TLS). */
  dial(address: TcpAddress, onOpen: () => void): net.Socket;
  /** A server whose `onSocket` runs for connections ready to carry the handshake. */
  createServer(onSocket: (socket: net.Socket) => void, onTlsError: (error: Error, socket: net.Socket) => void): net.Server;
}

export function createSocketFactory(options: { readonly tls?: TcpTlsOptions; readonly tlsHandshakeTimeoutMs: number }): SocketFactory {
  const tlsOptions = options.tls;
  if (tlsOptions === undefined) {
    return {
      dial: (address, onOpen) => net.connect({ host: address.host, port: address.port }, onOpen),
      createServer: (onSocket) => net.createServer(onSocket),
    };
  }
  const credentials = { cert: tlsOptions.cert, key: tlsOptions.key, ca: tlsOptions.ca };
  return {
    dial: (address, onOpen) => tls.connect({ host: address.host, port: address.port, ...credentials, rejectUnauthorized: true }, onOpen),
    createServer: (onSocket, onTlsError) => {
      const server = tls.createServer(
        {
          ...credentials,
          requestCert: true,
          rejectUnauthorized: true,
          // Bounds the TLS phase the way the app handshake timeout bounds ours.
          handshakeTimeout: options.tlsHandshakeTimeoutMs,
        },
        onSocket,
      );
      server.on('tlsClientError', onTlsError);
      return server;
    },
  };
}
