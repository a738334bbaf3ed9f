import { afterEach, describe, expect, it, vi } from 'vitest';
import { TabChannel } from './tab-channel.ts';

const ports = { changed: () => {}, sync: async () => {}, allSent: () => true };

describe('the tab channel', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('tells the other tabs of a change, and lets a round that ends after the stop broadcast without throwing', async () => {
    vi.stubGlobal('navigator', {});
    const heard: unknown[] = [];
    const other = new BroadcastChannel('counterpay-till');
    other.onmessage = (event) => heard.push(event.data);
    const tab = new TabChannel();
    const stop = tab.open(ports);
    tab.broadcast();
    await vi.waitFor(() => expect(heard).toEqual([{ type: 'changed' }]));
    stop();
    expect(() => tab.broadcast()).not.toThrow();
    other.close();
  });
});
