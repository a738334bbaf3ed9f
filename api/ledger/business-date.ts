/** A business day as operators type it: a calendar date YYYY-MM-DD, read as its UTC midnight. */
import { ValidationError } from '../errors.ts';

/** The day's start (UTC), or a ValidationError naming the field `date`. */
export function businessDayStart(date: string): Date {
  const start = new Date(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== date) {
    throw new ValidationError(`date must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(date)}`, [{ field: 'date', message: 'YYYY-MM-DD' }]);
  }
  return start;
}
