/** What the knowledge base needs from storage (src/infra/mongo/knowledge.repository.ts implements it). */
import type { Locale } from '../types.ts';
import type { Article, ArticleStatus, Suggestion, SuggestionAnswer } from './article.types.ts';

export interface ArticleFilter {
  language?: Locale;
  status?: ArticleStatus;
  /** Articles holding at least one of these terms. */
  anyTerm?: string[];
}

export interface ArticleRepository {
  insert(article: Article): Promise<Article>;
  /** Replaces the editable fields; null when there is no such article. */
  update(id: string, change: Omit<Article, 'id' | 'createdBy' | 'createdAt' | 'sourceTicketNumber'>): Promise<Article | null>;
  byId(id: string): Promise<Article | null>;
  /** Newest first, at most `limit`. */
  list(filter: ArticleFilter, limit: number): Promise<Article[]>;
  count(filter: ArticleFilter): Promise<number>;
}

export interface SuggestionRepository {
  /** Records once per id: a repeat changes nothing and returns false. */
  record(suggestion: Suggestion): Promise<boolean>;
  byId(id: string): Promise<Suggestion | null>;
  byTicket(ticketId: string): Promise<Suggestion[]>;
  /** Sets (or changes) the customer's answer; false when there is no such suggestion. */
  answer(id: string, answer: SuggestionAnswer, at: Date): Promise<boolean>;
  /** Every suggestion for these tickets (reports). */
  forTickets(ticketIds: string[]): Promise<Suggestion[]>;
}

export interface KnowledgeStores {
  articles: ArticleRepository;
  suggestions: SuggestionRepository;
}
