/** Knowledge base articles and the suggestions made from them. */
import type { ChannelId, Locale } from '../types.ts';

export const ARTICLE_STATUSES = ['draft', 'published'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

export interface Article {
  id: string;
  /** The problem, in the customer's words: it is also the article's title. */
  problem: string;
  solution: string;
  tags: string[];
  language: Locale;
  status: ArticleStatus;
  /** Distinct search terms of problem, solution and tags (see tokenize.ts): what a search matches. */
  terms: string[];
  /** The resolved ticket it was saved from ("save as solution"). */
  sourceTicketNumber?: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ArticleInput = Pick<Article, 'problem' | 'solution' | 'tags' | 'language' | 'status'>;

/** The customer's answer to "did this solve it?". */
export type SuggestionAnswer = 'solved' | 'not-solved';

/** One article offered for one ticket; `_id` is `<ticketId>:<articleId>` so a replay records nothing twice. */
export interface Suggestion {
  id: string;
  ticketId: string;
  ticketNumber: number;
  articleId: string;
  /** The channel the ticket came in on (reports break suggestions down by it). */
  channel: ChannelId;
  language: Locale;
  /** 1 is the best match. */
  rank: number;
  score: number;
  suggestedAt: Date;
  answer?: SuggestionAnswer;
  answeredAt?: Date;
}

/** An article with how well it matched a text. */
export interface ScoredArticle {
  article: Article;
  score: number;
}
