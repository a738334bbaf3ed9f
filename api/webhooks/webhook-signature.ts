/**
 * Standard Webhooks signatures (standardwebhooks.com): `webhook-signature` is a space-separated
 * list of `v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>`, where the secret is the
 * base64 after `whsec_`. During a secret's rotation both signatures are sent.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
