import {
  episodeStatusText,
  inText,
  itemText,
  nextRunText,
  publishedText,
  scheduleText,
  stateText,
} from '../web/series-text';

const today = { day: '2026-12-06', count: 2, quota: 3 };

describe('the series in words (the console series view)', () => {
  test('a rate schedule reads as an interval, a daily cron as a time in its zone', () => {
    expect(scheduleText({ expression: 'rate(1 day)', timeZone: 'UTC' })).toBe('every day');
    expect(scheduleText({ expression: 'rate(2 hours)', timeZone: 'UTC' })).toBe('every 2 hours');
    expect(scheduleText({ expression: 'cron(0 9 * * ? *)', timeZone: 'Europe/Paris' })).toBe(
      'every day at 09:00 (Europe/Paris)',
    );
    expect(scheduleText({ expression: 'cron(30 7 ? * MON *)', timeZone: 'UTC' })).toBe(
      'every Monday at 07:30 (UTC)',
    );
    // A shape the few words do not cover is shown as written, never guessed at.
    expect(scheduleText({ expression: 'cron(0/15 8-17 ? * MON-FRI *)', timeZone: 'UTC' })).toBe(
      'cron(0/15 8-17 ? * MON-FRI *) (UTC)',
    );
  });

  test('each state says what the series does next, with the reason the api gave', () => {
    expect(stateText({ state: 'quota-reached', today })).toBe(
      "today's quota reached (2 of 3); goes on tomorrow",
    );
    expect(stateText({ state: 'stopped-for-the-day', reason: 'youtube:main: quota spent', today })).toBe(
      'stopped for today: youtube:main: quota spent',
    );
    expect(stateText({ state: 'making-episode', itemId: '000004', today })).toBe(
      'making an episode (item 5)',
    );
    expect(stateText({ state: 'paused', today })).toMatch(/^paused/);
  });

  test('the next run is how long until it and the time in the series zone; none while paused', () => {
    const now = Date.parse('2026-12-06T06:00:00Z');
    expect(nextRunText('2026-12-06T08:00:00Z', 'Europe/Paris', now)).toBe('in 2 h (Sun 09:00 Europe/Paris)');
    expect(nextRunText(undefined, 'UTC', now)).toBe('none while paused');
    expect(inText(90_000)).toBe('in 1 min');
    expect(inText(3 * 86_400_000)).toBe('in 3 days');
    expect(inText(-5)).toBe('now');
  });

  test('an episode reads by its item and its status, a failed one with why', () => {
    expect(itemText({ prompt: 'Eckmühl' })).toBe('Eckmühl');
    expect(itemText({ values: { title: 'Cordouan', coast: 'Gironde' } })).toBe(
      'title: Cordouan · coast: Gironde',
    );
    expect(itemText({ uploads: ['a', 'b', 'c'] })).toBe('3 uploads');
    expect(episodeStatusText({ status: 'FAILED', failure: 'render: model refused' })).toBe(
      'failed: render: model refused',
    );
    expect(episodeStatusText({ status: 'PENDING' })).toBe('not made yet');
    expect(publishedText({ destination: 'youtube:main', url: 'https://youtu.be/x', at: '' })).toBe(
      'youtube:main published',
    );
    expect(publishedText({ destination: 'youtube:main', failure: 'quota-exceeded: spent', at: '' })).toBe(
      'youtube:main failed: quota-exceeded: spent',
    );
  });
});
