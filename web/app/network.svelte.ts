/** Online/offline as the browser reports it, and a clock for countdowns. */
export class Network {
  online = $state(navigator.onLine);

  constructor() {
    addEventListener('online', () => (this.online = true));
    addEventListener('offline', () => (this.online = false));
  }
}

export class Clock {
  now = $state(new Date());

  constructor(tickMs = 1000) {
    setInterval(() => (this.now = new Date()), tickMs);
  }
}
