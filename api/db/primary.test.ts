import { describe, expect, it } from 'vitest';
import { label, parseMultiHostUrl } from './primary.ts';

describe('DATABASE_URL with several hosts', () => {
  it('splits the host list as libpq and pg_autoctl show uri write it', () => {
    const m = parseMultiHostUrl('postgres://cp:secret@10.0.0.1:5432,10.0.0.2:6432,[::1]/counterpay?target_session_attrs=read-write&sslmode=require')!;
    expect(m.hosts).toEqual([
      { host: '10.0.0.1', port: 5432 },
      { host: '10.0.0.2', port: 6432 },
      { host: '::1', port: 5432 },
    ]);
    expect(m.needsPrimary).toBe(true);
    expect(m.url).toBe('postgres://cp:secret@10.0.0.1:5432/counterpay?sslmode=require');
    expect(m.urlFor(m.hosts[2]!)).toBe('postgres://cp:secret@[::1]:5432/counterpay?sslmode=require');
    expect(label(m.hosts[2]!)).toBe('[::1]:5432');
  });

  it('wants a primary with several hosts unless asked for any', () => {
    expect(parseMultiHostUrl('postgresql://a:1,b:2/db')!.needsPrimary).toBe(true);
    expect(parseMultiHostUrl('postgresql://a:1,b:2/db?target_session_attrs=any')!.needsPrimary).toBe(false);
    expect(parseMultiHostUrl('postgresql://a:1/db?target_session_attrs=read-write')!.hosts).toEqual([{ host: 'a', port: 1 }]);
  });

  it('leaves a plain one-host URL to the driver, and refuses what it cannot honour', () => {
    expect(parseMultiHostUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBeNull();
    expect(() => parseMultiHostUrl('postgres://a,b/db?target_session_attrs=standby')).toThrow('target_session_attrs=standby is not supported (use read-write)');
    expect(() => parseMultiHostUrl('postgres://a,b:x/db')).toThrow('DATABASE_URL: cannot read the host "b:x"');
  });
});
