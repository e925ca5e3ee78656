/** Which words make a progress enquiry, in English and Indonesian, and which do not. */
import { describe, expect, it } from 'vitest';
import { enquiredTicket } from '../../src/core/index.ts';

describe('progress enquiry parser', () => {
  it.each([
    ['status #123', 123], ['What is the status of ticket #45?', 45], ['STATUS OF MY REQUEST 7 please', 7], ['progress of 88', 88],
    ['bagaimana status tiket #123', 123], ['Mohon info statusnya tiket no 9', 9], ['perkembangan tiket nomor 12?', 12],
  ])('%s asks about #%i', (text, n) => {
    expect(enquiredTicket('', text)).toBe(n);
  });

  it('reads the subject too, and ignores numbers that do not follow the keyword', () => {
    expect(enquiredTicket('Status #31', 'any news?')).toBe(31);
    expect(enquiredTicket('', 'My order 123 has status unknown')).toBeNull();
    expect(enquiredTicket('', 'status: the printer in room 5 is broken')).toBeNull();
    expect(enquiredTicket('', 'Printer broken on floor 3')).toBeNull();
  });

  it('reads only the start of a long or hostile message', () => {
    expect(enquiredTicket('', `${'x '.repeat(50_000)}status #1`)).toBeNull();
    expect(enquiredTicket('', `${'status '.repeat(30_000)}`)).toBeNull();
  });
});
