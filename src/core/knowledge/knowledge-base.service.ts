/**
 * The knowledge base: articles written by agents or saved from a resolved ticket, search by the
 * words of a ticket, the suggestions made to customers (each recorded, so reports can tell whether
 * it helped) and the customer's answer to "did this solve it?".
 */
import { randomBytes } from 'node:crypto';
import { ErrorCodes, HelpdeskError } from '../errors.ts';
import type { TokenKeys } from '../mail/reply-token.ts';
import type { Clock, Repositories } from '../ports.ts';
import type { Locale, Ticket } from '../types.ts';
import type { Article, ArticleInput, ScoredArticle, Suggestion, SuggestionAnswer } from './article.types.ts';
import type { KnowledgeStores } from './knowledge.ports.ts';
import { rankArticles } from './ranking.ts';
import { signSuggestion, verifySuggestion } from './suggestion-link.ts';
import { distinctTerms } from './tokenize.ts';

/** At most this many articles are offered with one acknowledgement or chat. */
export const MAX_SUGGESTIONS = 3;
/** The article API's limits (kb.schemas.ts): a draft saved from a ticket stays within them. */
const MAX_PROBLEM = 300;
const MAX_SOLUTION = 20_000;

/** `text` trimmed to at most `max` characters, cut at a word when it is longer (with an ellipsis). */
function cut(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const head = trimmed.slice(0, max - 1);
  const space = head.lastIndexOf(' ');
  return `${(space > max / 2 ? head.slice(0, space) : head).trimEnd()}…`;
}

/** Articles a search reads at most (a help desk's knowledge base is small; see docs/architecture.md). */
const MAX_CANDIDATES = 500;
/**
 * How long a process reuses the published articles of a language for suggestions: every new
 * ticket asks for them, and they change only when an agent edits one. An edit through this
 * process applies at once; another process picks it up within this time.
 */
export const PUBLISHED_CACHE_MS = 30_000;

export interface KnowledgeBaseDeps {
  stores: KnowledgeStores;
  repos: Pick<Repositories, 'tickets' | 'messages'>;
  clock: Clock;
  keys: TokenKeys;
  /** Public base URL: article links in acknowledgements point there. */
  publicUrl: string;
}

/** An article offered to a customer, with the link that records their answer. */
export interface OfferedArticle {
  article: Article;
  suggestion: Suggestion;
  url: string;
}

export class KnowledgeBase {
  /** Published articles per language (null: more than a search reads; searches go to the store). */
  private published = new Map<Locale, { articles: Article[] | null; until: number }>();

  constructor(private readonly deps: KnowledgeBaseDeps) {}

  async create(input: ArticleInput, actorId: string, sourceTicketNumber?: number): Promise<Article> {
    const at = this.deps.clock.now();
    this.published.clear();
    return this.deps.stores.articles.insert({
      id: `kb_${randomBytes(8).toString('hex')}`, ...input, terms: this.termsOf(input), createdBy: actorId, createdAt: at, updatedAt: at,
      ...(sourceTicketNumber ? { sourceTicketNumber } : {}),
    });
  }

  async update(id: string, input: ArticleInput): Promise<Article> {
    this.published.clear();
    const updated = await this.deps.stores.articles.update(id, { ...input, terms: this.termsOf(input), updatedAt: this.deps.clock.now() });
    this.published.clear();
    if (!updated) throw new HelpdeskError(ErrorCodes.NOT_FOUND, `no article ${id}`);
    return updated;
  }

  get(id: string): Promise<Article | null> {
    return this.deps.stores.articles.byId(id);
  }

  list(filter: { language?: Locale; status?: Article['status'] }, limit: number): Promise<Article[]> {
    return this.deps.stores.articles.list(filter, limit);
  }

  /**
   * "Save as solution": a draft article from a resolved (or closed) ticket, for an agent to edit and
   * publish. The problem defaults to the customer's first message (the ticket's subject when that
   * has no text) and the solution to the last public reply an agent sent. Both are cut to what the
   * article API accepts, so the draft can be saved again as it is.
   */
  async saveFromTicket(ticketNumber: number, input: Partial<ArticleInput>, actorId: string): Promise<Article> {
    const ticket = await this.deps.repos.tickets.byNumber(ticketNumber);
    if (!ticket) throw new HelpdeskError(ErrorCodes.NOT_FOUND, `no ticket #${ticketNumber}`);
    if (ticket.status !== 'resolved' && ticket.status !== 'closed') {
      throw new HelpdeskError(ErrorCodes.INVALID, `ticket #${ticketNumber} is ${ticket.status}: only a resolved or closed ticket can be saved as a solution`);
    }
    const messages = await this.deps.repos.messages.listByTicket(ticket.id);
    const first = messages.find((m) => m.opensTicket) ?? messages.find((m) => m.direction === 'inbound' && !m.internal);
    const lastReply = messages.filter((m) => m.author === 'agent' && !m.internal).at(-1);
    const solution = input.solution ?? cut(lastReply?.visibleText || lastReply?.text || '', MAX_SOLUTION);
    if (!solution) throw new HelpdeskError(ErrorCodes.INVALID, `ticket #${ticketNumber} has no agent reply: give the solution`);
    const asked = cut(first?.visibleText || first?.text || '', MAX_PROBLEM);
    return this.create({
      problem: input.problem ?? (asked.length >= 3 ? asked : cut(ticket.subject, MAX_PROBLEM)), solution, tags: input.tags ?? [],
      language: input.language ?? ticket.locale, status: input.status ?? 'draft',
    }, actorId, ticket.number);
  }

  /** Articles ranked by the words of `text`; only published ones unless `includeDrafts`. */
  async search(text: string, language: Locale, limit: number, includeDrafts = false): Promise<ScoredArticle[]> {
    const terms = distinctTerms(text);
    if (!terms.length) return [];
    const published = includeDrafts ? null : await this.publishedIn(language);
    if (published) {
      const wanted = new Set(terms);
      return rankArticles(terms, published.filter((a) => a.terms.some((t) => wanted.has(t))), published.length).slice(0, limit);
    }
    const status = includeDrafts ? {} : { status: 'published' as const };
    const [candidates, total] = await Promise.all([
      this.deps.stores.articles.list({ language, ...status, anyTerm: terms }, MAX_CANDIDATES),
      this.deps.stores.articles.count({ language, ...status }),
    ]);
    return rankArticles(terms, candidates, total).slice(0, limit);
  }

  /**
   * Up to three published articles in the ticket's language for its first message, each recorded
   * as a suggestion (ids derive from ticket and article: a replayed ingest records nothing twice).
   */
  async suggestFor(ticket: Ticket, text: string, at: Date): Promise<OfferedArticle[]> {
    const ranked = await this.search(`${ticket.subject}\n${text}`, ticket.locale, MAX_SUGGESTIONS);
    const offered: OfferedArticle[] = [];
    for (const [i, { article, score }] of ranked.entries()) {
      const suggestion: Suggestion = {
        id: `${ticket.id}~${article.id}`, ticketId: ticket.id, ticketNumber: ticket.number, articleId: article.id,
        channel: ticket.channel, language: ticket.locale, rank: i + 1, score, suggestedAt: at,
      };
      await this.deps.stores.suggestions.record(suggestion);
      offered.push({ article, suggestion, url: this.articleUrl(article.id, suggestion.id) });
    }
    return offered;
  }

  /** What was suggested for a ticket, best first, with the articles (the agent's view). */
  async suggestionsOf(ticketId: string): Promise<Array<{ suggestion: Suggestion; article: Article | null }>> {
    const suggestions = (await this.deps.stores.suggestions.byTicket(ticketId)).sort((a, b) => a.rank - b.rank);
    return Promise.all(suggestions.map(async (suggestion) => ({ suggestion, article: await this.get(suggestion.articleId) })));
  }

  /** The public page's link; with a suggestion, its answer is recorded against it. */
  articleUrl(articleId: string, suggestionId?: string): string {
    const base = `${this.deps.publicUrl.replace(/\/$/, '')}/kb/${encodeURIComponent(articleId)}`;
    return suggestionId ? `${base}?s=${signSuggestion(this.deps.keys, suggestionId)}` : base;
  }

  /**
   * The customer's answer from the public page. Recorded on the suggestion when the signed token
   * names one for this article; otherwise it is not attributable and returns false.
   */
  async answer(articleId: string, token: string | undefined, answer: SuggestionAnswer): Promise<boolean> {
    const id = token ? verifySuggestion(this.deps.keys, token) : null;
    if (!id || !id.endsWith(`~${articleId}`)) return false;
    return this.deps.stores.suggestions.answer(id, answer, this.deps.clock.now());
  }

  /** The published articles of a language, from this process's short-lived copy (see PUBLISHED_CACHE_MS). */
  private async publishedIn(language: Locale): Promise<Article[] | null> {
    const now = Date.now();
    const hit = this.published.get(language);
    if (hit && now < hit.until) return hit.articles;
    const articles = await this.deps.stores.articles.list({ language, status: 'published' }, MAX_CANDIDATES + 1);
    const kept = articles.length > MAX_CANDIDATES ? null : articles;
    this.published.set(language, { articles: kept, until: now + PUBLISHED_CACHE_MS });
    return kept;
  }

  private termsOf(input: ArticleInput): string[] {
    return distinctTerms(input.tags.join(' '), input.problem, input.solution);
  }
}
