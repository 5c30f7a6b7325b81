// One format for every number and time the product shows: the browser's locale, the board's zone.
import { describe, expect, it } from 'vitest';
import { formatsFor, pickLocale } from '@/lib/common/format';

describe('pickLocale', () => {
  it('takes the browser’s first language the runtime formats in, else en-US', () => {
    expect(pickLocale('de-DE,de;q=0.9,en;q=0.8')).toBe('de-DE');
    expect(pickLocale('fr-CH, fr;q=0.9')).toBe('fr-CH');
    expect(pickLocale('*;q=0.5, x-klingon')).toBe('en-US');
    expect(pickLocale('not a tag!!, en-GB')).toBe('en-GB');
    expect(pickLocale(null)).toBe('en-US');
  });
});

describe('formatsFor', () => {
  const at = Date.parse('2026-03-08T07:05:09Z');
  it('writes numbers in the locale', () => {
    const us = formatsFor('en-US', 'UTC');
    const de = formatsFor('de-DE', 'UTC');
    expect(us.count(1234567)).toBe('1,234,567');
    expect(de.count(1234567)).toBe('1.234.567');
    expect(us.mos(3.456)).toBe('3.46');
    expect(de.mos(3.456)).toBe('3,46');
    expect(us.percent(0.6)).toBe('60.0%');
    expect(us.talk(465 / 60 + 0)).toEqual({ value: '7.75', unit: 'min' });
    expect(us.talk(30_545.78)).toEqual({ value: '509', unit: 'h' });
    expect(us.compact(1_234_567)).toBe('1.2M');
    expect(us.mos(null)).toBe('n/a');
  });
  it('writes times in the zone, on a 24-hour clock, with the date for another day', () => {
    const ny = formatsFor('en-US', 'America/New_York');
    expect(ny.clock(at)).toBe('03:05:09');
    expect(formatsFor('en-US', 'Asia/Kolkata').clock(at)).toBe('12:35:09');
    expect(ny.callTime(new Date(at).toISOString(), new Date(at + 60_000))).toBe('03:05:09');
    expect(ny.callTime(new Date(at).toISOString(), new Date(at + 86_400_000))).toBe('Mar 08 03:05:09');
    expect(ny.dateTime(at)).toBe('Mar 8, 2026, 03:05:09');
    expect(formatsFor('de-DE', 'Europe/Berlin').dateTime(at)).toBe('08.03.2026, 08:05:09');
  });
});
