/** The calendar day (yyyy-mm-dd) an instant falls on in a time zone: a series counts its quota by it. */
export function dayInZone(instant: Date, timeZone: string): string {
  // en-CA formats dates as yyyy-mm-dd.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}
