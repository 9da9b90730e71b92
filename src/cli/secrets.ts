// `truestock secrets rotate`: seal every channel's credentials and every alert secret with a new key (docs/security.md).
// With a key file: a new key is put first in the file (the old one stays, to open old rows), every
// row is sealed again, then the old key is dropped — a crash in between leaves a file that opens
// everything. With TRUESTOCK_SECRET_KEY: the operator sets the new key there and the old one in
// TRUESTOCK_SECRET_KEY_OLD; this seals every row with the new key, after which _OLD can go.

import { loadSecretKeys, newSecretKey, readKeyFile, writeKeyFile } from '../app/secret-key.ts';
import { configFromEnv, Truestock, type TruestockConfig } from '../app/truestock.ts';
import { out } from './output.ts';

export async function rotateSecretKey(config: TruestockConfig): Promise<{ file: string | null; channels: number }> {
  let file: string | null = null;
  if (!config.secretKey) {
    const loaded = loadSecretKeys(config);
    file = loaded.file!;
    writeKeyFile(file, [newSecretKey(), ...loaded.keys]);
  }
  // Opening seals again every row not sealed with the first key.
  const truestock = await Truestock.open(config);
  let channels: number;
  try {
    channels = Number((await truestock.store.read((db) => db.get<{ n: number }>('SELECT COUNT(*) AS n FROM channels')))?.n ?? 0);
  } finally {
    await truestock.close();
  }
  if (file) writeKeyFile(file, [readKeyFile(file)[0]!]);
  return { file, channels };
}

export async function secretsRotate(): Promise<void> {
  const done = await rotateSecretKey(configFromEnv());
  out(`sealed the settings of ${done.channels} channel(s) with the new key`);
  out(done.file ? `key file: ${done.file} (the old key is gone from it)` : 'now remove TRUESTOCK_SECRET_KEY_OLD from the environment of every server');
}
