import { describe, expect, it } from 'vitest';
import { matchesConversationFilter } from './conversation-filter';

describe('matchesConversationFilter', () => {
  it('matches every word anywhere in the names, ignoring case and accents', () => {
    expect(matchesConversationFilter('ana', ['Ána Silva', 'ana_s'])).toBe(true);
    expect(matchesConversationFilter('SIL an', ['Ána Silva'])).toBe(true);
    expect(matchesConversationFilter('ana_s', ['Someone', 'ana_s'])).toBe(true);
    expect(matchesConversationFilter('ana ben', ['Ána Silva'])).toBe(false);
  });

  it('lets everything through for an empty or blank query', () => {
    expect(matchesConversationFilter('', ['x'])).toBe(true);
    expect(matchesConversationFilter('   ', ['x'])).toBe(true);
  });
});
