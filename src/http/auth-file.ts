// The auth file `replikit node --auth-file` and `replikit dev --auth-file`
// load: the tokens the HTTP face accepts and the role each one grants.
//
//   { "tokens": [ { "name": "ci", "token": "<20 to 512 characters>", "role": "write" } ] }
//
// It is checked strictly: an unknown field, a role other than read, write or
// admin, a token too short or with characters a header cannot carry, two
// entries with the same name or the same token, or no token at all, and the
// whole file is refused with one line naming the file and what is wrong in
// it. Messages never quote a token.

import { readFileSync } from 'node:fs';
import { tokenSyntaxProblem } from '../ground/bearer-token.js';
import { ACCESS_ROLES, HttpAuth, type AccessRole, type TokenGrant } from './access.js';

/** Far more than any list of tokens needs; a bigger file is not an auth file. */
export const MAX_AUTH_FILE_BYTES = 1024 * 1024;
const MAX_TOKEN_NAME_CHARS = 64;
const TOKEN_NAME = /^[A-Za-z0-9_.-]+$/;

export class AuthFileError extends Error {
  override readonly name = 'AuthFileError';
}

/** Reads and checks the file; throws an AuthFileError whose message is the one line to print. */
export function loadAuthFile(path: string, flag = '--auth-file'): HttpAuth {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new AuthFileError(`${flag} ${path}: cannot read it (${why})`);
  }
  return new HttpAuth(parseAuthFile(bytes, `${flag} ${path}`));
}

/** The grants the file's bytes hold; `where` starts every message ("--auth-file auth.json"). */
export function parseAuthFile(bytes: Buffer, where: string): TokenGrant[] {
  const fail = (problem: string): never => {
    throw new AuthFileError(`${where}: ${problem}`);
  };
  if (bytes.byteLength > MAX_AUTH_FILE_BYTES) fail(`the file is ${bytes.byteLength} bytes; an auth file is at most ${MAX_AUTH_FILE_BYTES}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('the file is not UTF-8 text');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON${whereInText(text, (error as Error).message)}; expected {"tokens": [{"name": "ci", "token": "...", "role": "write"}]}`);
  }
  if (!isObject(parsed)) return fail('expected a JSON object {"tokens": [...]}');
  for (const key of Object.keys(parsed)) if (key !== 'tokens') fail(`unknown field ${JSON.stringify(key)}; the file has only "tokens"`);
  const list = parsed['tokens'];
  if (!Array.isArray(list)) return fail('"tokens" must be an array of {"name", "token", "role"}');
  if (list.length === 0) fail('"tokens" is empty: list at least one token (no token at all would refuse every request)');
  const grants: TokenGrant[] = [];
  list.forEach((entry: unknown, index) => {
    const at = `tokens[${index}]`;
    if (!isObject(entry)) return fail(`${at} must be an object {"name", "token", "role"}`);
    for (const key of Object.keys(entry)) {
      if (key !== 'name' && key !== 'token' && key !== 'role') fail(`${at}: unknown field ${JSON.stringify(key)}; an entry has name, token and role`);
    }
    const { name, token, role } = entry;
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_TOKEN_NAME_CHARS || !TOKEN_NAME.test(name)) {
      return fail(`${at}: "name" must be 1 to ${MAX_TOKEN_NAME_CHARS} characters of A-Z a-z 0-9 _ . -`);
    }
    const named = `${at} (${JSON.stringify(name)})`;
    if (token === undefined) return fail(`${named}: "token" is missing`);
    const problem = tokenSyntaxProblem(token);
    if (problem) return fail(`${named}: bad "token": ${problem}`);
    if (typeof role !== 'string' || !(ACCESS_ROLES as readonly string[]).includes(role)) {
      return fail(
        `${named}: "role" must be one of ${ACCESS_ROLES.join(', ')}, got ${typeof role === 'string' ? JSON.stringify(role.slice(0, 20)) : role === undefined ? 'none' : typeof role}`,
      );
    }
    const sameName = grants.findIndex((grant) => grant.name === name);
    if (sameName !== -1) fail(`${named}: the name is used by tokens[${sameName}] too; names must be unique`);
    const sameToken = grants.findIndex((grant) => grant.token === token);
    if (sameToken !== -1) fail(`${named}: the same token as tokens[${sameToken}] (${JSON.stringify(grants[sameToken]?.name)}); tokens must be unique`);
    grants.push({ name, token: token as string, role: role as AccessRole });
  });
  return grants;
}

/**
 * Where the parser stopped, as a line and column: its own message may quote
 * the text around it (Node's does, for some errors), which may be a token.
 */
function whereInText(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return /end of JSON input/.test(message) ? ' (it ends too early)' : '';
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return ` (at line ${line}, column ${column})`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
