// Where the key that seals channel settings comes from (docs/security.md): TRUESTOCK_SECRET_KEY
// when set (older keys, during a rotation, in TRUESTOCK_SECRET_KEY_OLD), else a key file beside
// the database, generated with 0600 permissions on first start. A key file holds one key per
// line: the first seals, the others only open (a rotation in progress).

import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { SECRET_KEY_BYTES, SecretBox } from '../store/secret-box.ts';

export const SECRET_KEY_FILE_NAME = 'truestock-secret.key';
/** Owner read and write only: the key opens every channel's credentials. */
export const SECRET_KEY_FILE_MODE = 0o600;

export interface SecretKeyConfig {
  /** The sealing key, base64 (or hex) of 32 bytes: TRUESTOCK_SECRET_KEY. */
  secretKey?: string;
  /** Keys that still open older rows during a rotation: TRUESTOCK_SECRET_KEY_OLD, comma-separated. */
  secretKeysOld?: string[];
  /** The key file when no key is given: TRUESTOCK_SECRET_KEY_FILE, by default beside the SQLite database, or ~/.config/truestock for PostgreSQL. */
  secretKeyFile?: string;
}

export function parseSecretKey(text: string, name: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== SECRET_KEY_BYTES) throw new Error(`${name} must be ${SECRET_KEY_BYTES} bytes in base64 or hex (generate one with: openssl rand -base64 32)`);
  return key;
}

export const newSecretKey = () => randomBytes(SECRET_KEY_BYTES).toString('base64');

/**
 * Beside the SQLite database; for PostgreSQL (no file of ours beside it) in the server user's
 * ~/.config/truestock — not the working directory, which differs between a service and the CLI.
 */
export function defaultKeyFile(config: { databaseUrl?: string; sqlitePath?: string }): string {
  return config.databaseUrl || !config.sqlitePath ? join(homedir(), '.config', 'truestock', SECRET_KEY_FILE_NAME) : join(dirname(resolve(config.sqlitePath)), SECRET_KEY_FILE_NAME);
}

/** Write a key file's lines atomically with 0600 permissions (a temporary file renamed over it). */
export function writeKeyFile(file: string, keys: readonly string[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${keys.join('\n')}\n`, { mode: SECRET_KEY_FILE_MODE });
  chmodSync(tmp, SECRET_KEY_FILE_MODE);
  renameSync(tmp, file);
}

export function readKeyFile(file: string): string[] {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new Error(`${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`);
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
}

/** The keys as text, current first, and where they came from; generates the key file when there is none. */
export function loadSecretKeys(config: SecretKeyConfig & { databaseUrl?: string; sqlitePath?: string }): { keys: string[]; file: string | null } {
  if (config.secretKey) return { keys: [config.secretKey, ...(config.secretKeysOld ?? [])], file: null };
  const file = config.secretKeyFile ?? defaultKeyFile(config);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // `wx`: two servers starting at once on one database do not each make a key; the loser reads the winner's.
    writeFileSync(file, `${newSecretKey()}\n`, { flag: 'wx', mode: SECRET_KEY_FILE_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const keys = readKeyFile(file);
  if (keys.length === 0) throw new Error(`${file} holds no secret key`);
  return { keys, file };
}

export function secretBoxOf(keys: readonly string[], source: string): SecretBox {
  return new SecretBox(parseSecretKey(keys[0]!, source), keys.slice(1).map((k) => parseSecretKey(k, `${source} (older key)`)));
}
