/**
 * A store's opening hours: per weekday a list of intervals in the store's own time zone, with
 * dates it is closed. An interval whose closing time is not after its opening time runs past
 * midnight into the next day (a night shop's `22:00–02:00`), so "open now" at 01:00 on Tuesday
 * looks at Monday's intervals too. Pure: the server's directory and the shopper's offline list
 * both use it.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM`, 24-hour; `24:00` only as a closing time. */
export interface Interval {
  opens: string;
  closes: string;
}
export type WeekHours = Record<Weekday, Interval[]>;

export const CLOSED_WEEK: WeekHours = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** What is wrong with an interval, or null. */
export function intervalProblem(i: Interval): string | null {
  if (!TIME.test(i.opens) || i.opens === '24:00') return `opening time ${JSON.stringify(i.opens)} is not HH:MM (00:00 to 23:59)`;
  if (!TIME.test(i.closes)) return `closing time ${JSON.stringify(i.closes)} is not HH:MM (00:00 to 24:00)`;
  if (i.opens === i.closes) return `an interval ${i.opens}–${i.closes} is empty`;
  return null;
}

/**
 * Reads `mon-fri 08:00-20:00, sat 09:00-14:00 16:00-18:00, sun closed` (days not named are
 * closed). Throws a RangeError that says what is wrong.
 */
export function parseWeek(text: string): WeekHours {
  const week: WeekHours = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
  const seen = new Set<Weekday>();
  for (const part of text
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [days, ...times] = part.split(/\s+/);
    const range = /^(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?$/.exec(days!.toLowerCase());
    if (!range) throw new RangeError(`${JSON.stringify(days)} is not a weekday or a range such as mon-fri`);
    const from = WEEKDAYS.indexOf(range[1] as Weekday);
    const to = WEEKDAYS.indexOf((range[2] ?? range[1]) as Weekday);
    if (to < from) throw new RangeError(`${days} runs backwards: write it from Monday towards Sunday`);
    if (times.length === 0) throw new RangeError(`${days} has no hours: give HH:MM-HH:MM or closed`);
    const intervals: Interval[] = [];
    if (!(times.length === 1 && times[0]!.toLowerCase() === 'closed')) {
      for (const t of times) {
        const m = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(t);
        if (!m) throw new RangeError(`${JSON.stringify(t)} is not HH:MM-HH:MM`);
        const interval = { opens: m[1]!, closes: m[2]! };
        const problem = intervalProblem(interval);
        if (problem) throw new RangeError(problem);
        intervals.push(interval);
      }
    }
    for (let d = from; d <= to; d++) {
      const day = WEEKDAYS[d]!;
      if (seen.has(day)) throw new RangeError(`${day} is given twice`);
      seen.add(day);
      week[day] = intervals;
    }
  }
  return week;
}

/** The store's local date (`YYYY-MM-DD`), weekday and minute of the day at `at`, in `timeZone`. */
export function localTime(at: Date, timeZone: string): { date: string; weekday: Weekday; minute: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: parts.weekday!.toLowerCase().slice(0, 3) as Weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const previousDate = (date: string) => new Date(Date.parse(`${date}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
const previousDay = (d: Weekday) => WEEKDAYS[(WEEKDAYS.indexOf(d) + 6) % 7]!;
const overnight = (i: Interval) => minutes(i.closes) <= minutes(i.opens);

export interface StoreHours {
  hours: WeekHours;
  closedOn: string[];
  timeZone: string;
}

/** Whether the store is open at `at`: today's intervals, and yesterday's that run past midnight (unless that day was a closed date). */
export function isOpenAt(store: StoreHours, at: Date): boolean {
  const now = localTime(at, store.timeZone);
  const closed = new Set(store.closedOn);
  if (!closed.has(now.date)) {
    for (const i of store.hours[now.weekday]) {
      if (now.minute >= minutes(i.opens) && (overnight(i) || now.minute < minutes(i.closes))) return true;
    }
  }
  const yesterday = previousDate(now.date);
  if (!closed.has(yesterday)) {
    for (const i of store.hours[previousDay(now.weekday)]) if (overnight(i) && now.minute < minutes(i.closes)) return true;
  }
  return false;
}

/** The store's local date at `at` and that day's intervals (none on a closed date). */
export function hoursOn(store: StoreHours, at: Date): { date: string; weekday: Weekday; hours: Interval[] } {
  const now = localTime(at, store.timeZone);
  return { date: now.date, weekday: now.weekday, hours: store.closedOn.includes(now.date) ? [] : store.hours[now.weekday] };
}
