// Channel settings at rest: sealed with AES-256-GCM (docs/security.md). A stored value reads
// `enc:v1:<key id>:<base64 of iv ‖ tag ‖ ciphertext>`; the key id (8 hex of the key's SHA-256)
// says which key sealed it, so a rotation can read old rows while it re-seals them. A value
// without the prefix is a row from before encryption: read as it is, sealed on its next write.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'enc:v1:';

export const secretKeyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** The keys that open stored settings; the first one seals. */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;
  readonly currentId: string;

  constructor(readonly current: Buffer, older: readonly Buffer[] = []) {
    for (const k of [current, ...older]) {
      if (k.length !== SECRET_KEY_BYTES) throw new Error(`a secret key is ${SECRET_KEY_BYTES} bytes, got ${k.length}`);
    }
    this.currentId = secretKeyId(current);
    this.keys = new Map([current, ...older].map((k) => [secretKeyId(k), k]));
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.currentId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(stored: string): string {
    if (!isSealed(stored)) return stored;
    const [id, data] = stored.slice(PREFIX.length).split(':');
    const key = this.keys.get(id ?? '');
    if (!key || !data) throw new Error(`channel settings sealed with secret key ${id}, which this server does not have: set TRUESTOCK_SECRET_KEY (docs/security.md)`);
    const raw = Buffer.from(data, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** This box's keys still open; `next`'s current key seals. */
  joinedBy(next: SecretBox): SecretBox {
    return new SecretBox(next.current, [...next.keys.values(), ...this.keys.values()].filter((k) => !k.equals(next.current)));
  }

  /** Whether a stored value is sealed with the key that seals now (a rotation skips those). */
  sealedWithCurrent(stored: string): boolean {
    return stored.startsWith(`${PREFIX}${this.currentId}:`);
  }
}

export const isSealed = (stored: string) => stored.startsWith(PREFIX);

// Settings are read in several repositories, all inside one process with one key set: the box is
// set for the process when Truestock opens (like ids' random source), not passed through every call.
// A process that opens several databases (tests) keeps every key it was given, so each can still be
// read; the last one opened seals.
let box: SecretBox | null = null;

export function useSecretBox(b: SecretBox): SecretBox {
  box = box ? box.joinedBy(b) : b;
  return box;
}

/** Settings as stored: sealed when a key is set (always, once Truestock has opened). */
export function sealSettings(settings: unknown): string {
  const json = JSON.stringify(settings);
  return box ? box.seal(json) : json;
}

/** Settings as read: opened when sealed. */
export function openSettings<T = Record<string, unknown>>(stored: string): T {
  if (isSealed(stored) && !box) throw new Error('channel settings are sealed and no secret key is set (docs/security.md)');
  return JSON.parse(box ? box.open(stored) : stored) as T;
}

/** One secret string as stored (an alert webhook's signing secret, an SMTP password): sealed like settings. */
export function sealSecret(secret: string | null): string | null {
  return secret === null ? null : sealSettings(secret);
}

/** One secret string as read; a value stored in clear before secrets were sealed reads as it is. */
export function openSecret(stored: string | null): string | null {
  return stored === null ? null : isSealed(stored) ? openSettings<string>(stored) : stored;
}
