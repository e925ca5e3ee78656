/**
 * Ranks candidate articles by the words of a text, without a text index (the test server has no
 * `$text`). Each query term that an article contains scores its inverse document frequency
 * (rare words matter more), weighted by where it occurs: a tag 3, the problem 2, the solution 1,
 * with diminishing returns for repeats. Candidates are every article sharing at least one term, so
 * counting document frequency among them is exact.
 */
import type { Article, ScoredArticle } from './article.types.ts';
import { termsOf } from './tokenize.ts';

const FIELD_WEIGHT = { tags: 3, problem: 2, solution: 1 } as const;

function occurrences(article: Article): Map<string, number> {
  const weights = new Map<string, number>();
  const add = (text: string, weight: number) => {
    for (const term of termsOf(text)) weights.set(term, (weights.get(term) ?? 0) + weight);
  };
  add(article.tags.join(' '), FIELD_WEIGHT.tags);
  add(article.problem, FIELD_WEIGHT.problem);
  add(article.solution, FIELD_WEIGHT.solution);
  return weights;
}

/**
 * `total` is how many articles the search ran over (published, in the language); the result is
 * best first, ties broken by the newer article, and only articles with a positive score.
 */
export function rankArticles(queryTerms: string[], candidates: Article[], total: number): ScoredArticle[] {
  const query = [...new Set(queryTerms)];
  const documentFrequency = new Map<string, number>();
  for (const article of candidates) {
    for (const term of query) if (article.terms.includes(term)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const scored: ScoredArticle[] = [];
  for (const article of candidates) {
    const weights = occurrences(article);
    let score = 0;
    for (const term of query) {
      const weight = weights.get(term);
      if (!weight) continue;
      const idf = Math.log(1 + Math.max(total, candidates.length) / documentFrequency.get(term)!);
      score += idf * (1 + Math.log(weight));
    }
    if (score > 0) scored.push({ article, score: Math.round(score * 1000) / 1000 });
  }
  return scored.sort((a, b) => b.score - a.score || b.article.updatedAt.getTime() - a.article.updatedAt.getTime());
}
