import { describe, expect, it } from 'vitest';
import { pickLocale } from '../../channels/email/classify/locale-hint.ts';

describe('customer locale from headers', () => {
  it.each([
    ['id', 'id'], ['id-ID', 'id'], ['en-US', 'en'], ['fr-FR, id;q=0.8, en;q=0.5', 'id'],
    ['de, fr', undefined], ['en;q=0.2, id;q=0.9', 'id'], [undefined, undefined], ['id;q=0', undefined],
  ])('%s -> %s', (header, expected) => {
    expect(pickLocale(header)).toBe(expected);
  });
});
