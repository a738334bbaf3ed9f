/**
 * Vitest setup for the browser tier: a test during which a browser context (made by the helpers in
 * test/browser/support) saw a Content-Security-Policy or Permissions-Policy violation fails, so the
 * app is proven to work under the headers it is served with (api/http/security-headers.ts).
 */
import { afterAll, afterEach } from 'vitest';
import { takePolicyViolations } from '../browser/support/browser.ts';

function failOnViolations(when: string): void {
  const seen = takePolicyViolations();
  if (seen.length > 0) throw new Error(`${seen.length} policy violation(s) ${when}:\n  ${seen.join('\n  ')}`);
}

afterEach(() => failOnViolations('during this test'));
// A violation in a beforeAll/afterAll (or after a test's last await) shows up here, not unseen.
afterAll(() => failOnViolations('outside any test of this file (beforeAll, afterAll)'));
