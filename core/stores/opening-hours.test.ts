import { describe, expect, it } from 'vitest';
import { distanceMeters, parseLatLng } from './geo.ts';
import { hoursOn, isOpenAt, isTimeZone, localTime, parseWeek } from './opening-hours.ts';

describe('opening hours', () => {
  it('reads a week: ranges, several intervals, closed days, and says what is wrong', () => {
    const week = parseWeek('mon-fri 08:00-12:00 13:00-18:00, sat 09:00-14:00; sun closed');
    expect(week.wed).toEqual([
      { opens: '08:00', closes: '12:00' },
      { opens: '13:00', closes: '18:00' },
    ]);
    expect(week.sat).toEqual([{ opens: '09:00', closes: '14:00' }]);
    expect(week.sun).toEqual([]);
    expect(parseWeek('mon 00:00-24:00').mon).toEqual([{ opens: '00:00', closes: '24:00' }]);
    expect(() => parseWeek('mon 8-12')).toThrow(/not HH:MM-HH:MM/);
    expect(() => parseWeek('mon 24:00-02:00')).toThrow(/opening time/);
    expect(() => parseWeek('mon 10:00-10:00')).toThrow(/empty/);
    expect(() => parseWeek('sun-mon 10:00-11:00')).toThrow(/backwards/);
    expect(() => parseWeek('mon 10:00-11:00, mon-tue 12:00-13:00')).toThrow(/mon is given twice/);
    expect(() => parseWeek('monday 10:00-11:00')).toThrow(/not a weekday/);
  });

  it('is open past midnight on the next day, and a closed date closes its night too', () => {
    const store = { hours: parseWeek('fri 22:00-02:00'), closedOn: [] as string[], timeZone: 'UTC' };
    // 2026-12-04 is a Friday.
    expect(isOpenAt(store, new Date('2026-12-04T21:59:00Z'))).toBe(false);
    expect(isOpenAt(store, new Date('2026-12-04T22:00:00Z'))).toBe(true);
    expect(isOpenAt(store, new Date('2026-12-05T01:59:00Z'))).toBe(true);
    expect(isOpenAt(store, new Date('2026-12-05T02:00:00Z'))).toBe(false);
    expect(isOpenAt({ ...store, closedOn: ['2026-12-04'] }, new Date('2026-12-05T01:00:00Z'))).toBe(false);
    // Closing Saturday does not close Friday's night.
    expect(isOpenAt({ ...store, closedOn: ['2026-12-05'] }, new Date('2026-12-05T01:00:00Z'))).toBe(true);
  });

  it("reads the clock in the store's own time zone, across a change of date", () => {
    const at = new Date('2026-12-03T23:30:00Z');
    expect(localTime(at, 'Asia/Tokyo')).toEqual({ date: '2026-12-04', weekday: 'fri', minute: 8 * 60 + 30 });
    expect(localTime(at, 'America/Los_Angeles')).toEqual({ date: '2026-12-03', weekday: 'thu', minute: 15 * 60 + 30 });
    const week = parseWeek('mon-sun 09:00-17:00');
    const later = new Date('2026-12-04T01:30:00Z'); // 10:30 in Tokyo, 02:30 in Berlin
    expect(isOpenAt({ hours: week, closedOn: [], timeZone: 'Asia/Tokyo' }, later)).toBe(true);
    expect(isOpenAt({ hours: week, closedOn: [], timeZone: 'Europe/Berlin' }, later)).toBe(false);
    expect(isOpenAt({ hours: week, closedOn: [], timeZone: 'Asia/Tokyo' }, at)).toBe(false); // 08:30 there
    expect(hoursOn({ hours: week, closedOn: ['2026-12-04'], timeZone: 'Asia/Tokyo' }, at)).toEqual({ date: '2026-12-04', weekday: 'fri', hours: [] });
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('distances', () => {
  it('measures Paris to London as published (343.5 km), and reads lat,lng', () => {
    expect(distanceMeters({ latitude: 48.8566, longitude: 2.3522 }, { latitude: 51.5074, longitude: -0.1278 }) / 1000).toBeCloseTo(343.5, 0);
    expect(parseLatLng('52.52, 13.405')).toEqual({ latitude: 52.52, longitude: 13.405 });
    expect(parseLatLng('91,0')).toBeNull();
    expect(parseLatLng('north')).toBeNull();
  });
});
