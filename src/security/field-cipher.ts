/**
 * Field encryption for personal data: AES-256-GCM with a fresh 96-bit IV per value and the key
 * id inside the ciphertext (`v1.<keyId>.<base64url(iv | tag | ciphertext)>`), so that a key
 * rotation can re-encrypt in place and old values stay readable meanwhile. Look-ups go through a
 * keyed blind index (HMAC-SHA256), never through the clear value.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { HeraldError } from '../core/errors.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class FieldCipher {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly activeKeyId: string,
    private readonly indexKey: Buffer,
  ) {
    if (!keys.has(activeKeyId)) throw new HeraldError('KEY_UNKNOWN', `No key ${activeKeyId}`);
  }

  encrypt(plaintext: string, aad = ''): string {
    const key = this.keys.get(this.activeKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    if (aad) cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const packed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    return `${VERSION}.${this.activeKeyId}.${packed}`;
  }

  decrypt(ciphertext: string, aad = ''): string {
    const { keyId, packed } = splitCiphertext(ciphertext);
    const key = this.keys.get(keyId);
    if (!key) throw new HeraldError('KEY_UNKNOWN', `No key ${keyId} to decrypt with`);
    const raw = Buffer.from(packed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    if (aad) decipher.setAAD(Buffer.from(aad));
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }

  /** Re-encrypts with the active key; returns null when the value already uses it. */
  reencrypt(ciphertext: string, aad = ''): string | null {
    if (keyIdOf(ciphertext) === this.activeKeyId) return null;
    return this.encrypt(this.decrypt(ciphertext, aad), aad);
  }

  /** The keyed look-up token of a normalised value (e.g. an E.164 number). */
  blindIndex(value: string): string {
    return createHmac('sha256', this.indexKey).update(value, 'utf8').digest('base64url');
  }
}

function splitCiphertext(ciphertext: string): { keyId: string; packed: string } {
  const parts = ciphertext.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2]) {
    throw new HeraldError('KEY_UNKNOWN', 'Not a Herald ciphertext');
  }
  return { keyId: parts[1], packed: parts[2] };
}

export function keyIdOf(ciphertext: string): string {
  return splitCiphertext(ciphertext).keyId;
}
