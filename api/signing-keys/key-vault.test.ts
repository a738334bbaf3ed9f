import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.ts';
import { createServices } from '../context.ts';
import { signingKeys } from '../db/schema.ts';
import { KeyVault } from './key-vault.ts';

describe('signing keys at rest', () => {
  it('seals private keys with AES-256-GCM when SIGNING_KEY_SECRET is set, and refuses to start without it', async () => {
    const database = await openDatabase({ memory: true });
    try {
      const sealed = await createServices(database, { publicUrl: 'http://localhost:8080', signingKeySecret: 'correct horse battery staple' });
      await sealed.keys.ensureCurrent();
      const [row] = await database.db.select().from(signingKeys);
      expect(row!.privateKey).toMatch(/^aes-256-gcm:/);
      expect((await sealed.keys.signer()).kid).toBe(row!.kid);

      const noSecret = await createServices(database, { publicUrl: 'http://localhost:8080' });
      await expect(noSecret.keys.ensureCurrent()).rejects.toThrow(/signing key 1 is encrypted: set SIGNING_KEY_SECRET/);
      const wrong = await createServices(database, { publicUrl: 'http://localhost:8080', signingKeySecret: 'a different secret value' });
      await expect(wrong.keys.ensureCurrent()).rejects.toThrow(/does not decrypt with this SIGNING_KEY_SECRET/);
    } finally {
      await database.close();
    }
  });

  it('stores the key as plain PKCS#8 when no secret is set, and reads it back', async () => {
    const vault = await KeyVault.create(undefined);
    const bytes = crypto.getRandomValues(new Uint8Array(40));
    const stored = await vault.seal(bytes);
    expect(stored).toMatch(/^plain:/);
    expect(await vault.open(stored, 1)).toEqual(bytes);
  });
});
