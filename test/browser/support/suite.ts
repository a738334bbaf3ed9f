/** One server and one browser for the enclosing describe: started before its tests, stopped after. */
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { startServer, type RunningServer } from '../../support/server.ts';
import { ensureBuilt } from './build.ts';
import { launch } from './browser.ts';

export function serverAndBrowser(): { server: RunningServer; browser: Browser } {
  const suite = {} as { server: RunningServer; browser: Browser };
  beforeAll(async () => {
    ensureBuilt();
    suite.server = await startServer();
    suite.browser = await launch();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  return suite;
}
