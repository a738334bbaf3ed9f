/**
 * Private signing keys at rest. With SIGNING_KEY_SECRET set, the PKCS#8 bytes are sealed with
 * AES-256-GCM under a key derived by HKDF-SHA-256 from the secret; without it they are stored
 * as plain base64 and the server says so at start (README, "Signing keys").
 */
import { base64UrlDecode, base64UrlEncode } from '../../core/encoding/bytes.ts';

const INFO = new TextEncoder().encode('counterpay signing-key vault v1');

export class KeyVaultError extends Error {}

export class KeyVault {
  private constructor(private readonly aesKey: CryptoKey | null) {}

  static async create(secret: string | undefined): Promise<KeyVault> {
    if (!secret) return new KeyVault(null);
    const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey']);
    const aesKey = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: INFO }, material, { name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    return new KeyVault(aesKey);
  }

  get encrypts(): boolean {
    return this.aesKey !== null;
  }

  async seal(pkcs8: Uint8Array): Promise<string> {
    if (!this.aesKey) return `plain:${base64UrlEncode(pkcs8)}`;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, this.aesKey, pkcs8 as BufferSource));
    return `aes-256-gcm:${base64UrlEncode(iv)}:${base64UrlEncode(sealed)}`;
  }

  async open(stored: string, kid: number): Promise<Uint8Array> {
    const [scheme, a, b] = stored.split(':');
    if (scheme === 'plain' && a) return base64UrlDecode(a);
    if (scheme === 'aes-256-gcm' && a && b) {
      if (!this.aesKey) throw new KeyVaultError(`signing key ${kid} is encrypted: set SIGNING_KEY_SECRET to the secret it was stored with`);
      try {
        return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: base64UrlDecode(a) as BufferSource }, this.aesKey, base64UrlDecode(b) as BufferSource));
      } catch {
        throw new KeyVaultError(`signing key ${kid} does not decrypt with this SIGNING_KEY_SECRET`);
      }
    }
    throw new KeyVaultError(`signing key ${kid} is stored in an unknown form`);
  }
}
