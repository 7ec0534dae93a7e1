// The HTTP face's security settings as `replikit node` and `replikit dev`
// take them: an auth file (--auth-file), HTTPS (--http-tls-cert and
// --http-tls-key), and protected mode, as Redis has it: a face that listens
// on an address other than loopback, with no auth file, is refused unless
// --insecure says that is what is wanted. Every problem is one line naming
// the flag, the file and what is wrong.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { HttpAuth } from '../http/access.js';
import { AuthFileError, loadAuthFile } from '../http/auth-file.js';

export interface HttpSecurityFlags {
  readonly authFile?: string | undefined;
  readonly insecure?: boolean | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  /** The host the HTTP face listens on, and the flag that named it (for messages). */
  readonly host: string;
  readonly hostFlag: string;
}

export interface HttpSecurity {
  readonly auth?: HttpAuth;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** Said once at start: an open face on a public address (--insecure). */
  readonly warning?: string;
}

/** The problem, as one line, that stops the command from starting. */
export class HttpSecurityError extends Error {
  override readonly name = 'HttpSecurityError';
}

export function resolveHttpSecurity(flags: HttpSecurityFlags): HttpSecurity {
  let auth: HttpAuth | undefined;
  if (flags.authFile !== undefined) {
    if (flags.authFile === '') throw new HttpSecurityError('--auth-file needs a file name');
    try {
      auth = loadAuthFile(flags.authFile);
    } catch (error) {
      if (error instanceof AuthFileError) throw new HttpSecurityError(error.message);
      throw error;
    }
  }
  const tls = loadTls(flags.tlsCert, flags.tlsKey);
  const open = auth === undefined;
  if (open && !isLoopbackHost(flags.host) && flags.insecure !== true) {
    throw new HttpSecurityError(
      `${flags.hostFlag} ${flags.host} is not a loopback address, and without tokens anyone who can reach it can read, write and reconfigure the cluster: ` +
        'give --auth-file FILE (tokens and their roles; see README "Authentication"), or --insecure to serve it open anyway',
    );
  }
  const warning =
    open && !isLoopbackHost(flags.host) ? `the HTTP API on ${flags.host} is open to anyone who can reach it (--insecure, no --auth-file)` : undefined;
  return { ...(auth ? { auth } : {}), ...(tls ? { tls } : {}), ...(warning ? { warning } : {}) };
}

function loadTls(certFile: string | undefined, keyFile: string | undefined): HttpSecurity['tls'] {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (!certFile || !keyFile)
    throw new HttpSecurityError('--http-tls-cert and --http-tls-key go together: give both (a certificate and its key, PEM) or neither');
  const cert = readPem(certFile, '--http-tls-cert');
  const key = readPem(keyFile, '--http-tls-key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new HttpSecurityError(
      `--http-tls-cert ${certFile} and --http-tls-key ${keyFile} are not a PEM certificate and its private key (${(error as Error).message})`,
    );
  }
  return { cert, key };
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new HttpSecurityError(`${flag} ${path}: cannot read it (${why})`);
  }
}

/**
 * 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) and localhost: addresses only
 * this machine can reach. Everything else, 0.0.0.0 and :: included, is not.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const name = bare.toLowerCase();
  if (name === 'localhost') return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) {
    if (name === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(name)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(name)?.[1];
    return mapped !== undefined && mapped.startsWith('127.');
  }
  return false;
}
