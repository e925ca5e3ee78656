/**
 * The knowledge base for agents: write and edit articles, save a resolved ticket as a solution,
 * search by a ticket's words, and see what was suggested for a ticket (and whether it helped).
 */
import type { Article, KnowledgeBase, Repositories } from '../core/index.ts';
import { articleBody, articleListQuery, articleParam, articleView, saveAsSolutionBody, searchQuery, suggestionView } from './kb.schemas.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';
import { ticketParam } from './ticket.schemas.ts';
import { z } from 'zod';

export function presentArticle(kb: KnowledgeBase, a: Article) {
  return {
    id: a.id, problem: a.problem, solution: a.solution, tags: a.tags, language: a.language, status: a.status,
    sourceTicketNumber: a.sourceTicketNumber ?? null, createdBy: a.createdBy,
    createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString(),
    publicUrl: a.status === 'published' ? kb.articleUrl(a.id) : null,
  };
}

export function registerKbRoutes(api: ApiRegistry, deps: { kb: KnowledgeBase; repos: Repositories }): void {
  const { kb, repos } = deps;
  const present = (a: Article) => presentArticle(kb, a);
  const notFound = { error: 'not_found', message: 'no such article' };

  api.add({
    method: 'post', path: '/kb/articles', operationId: 'createArticle', tag: 'knowledge base', access: 'agent', body: articleBody,
    summary: 'A new article (draft unless `status` is published)',
    responses: { 201: { description: 'Created', schema: articleView } },
    async handler({ body, principal, res }) {
      res.status(201).json(present(await kb.create(body, principal.actor.id)));
    },
  });

  api.add({
    method: 'get', path: '/kb/articles', operationId: 'listArticles', tag: 'knowledge base', access: 'agent', query: articleListQuery,
    summary: 'Articles, newest first, by language and status',
    responses: { 200: { description: 'Articles', schema: z.object({ articles: z.array(articleView) }) } },
    async handler({ query, res }) {
      const filter = { ...(query.language ? { language: query.language } : {}), ...(query.status ? { status: query.status } : {}) };
      res.json({ articles: (await kb.list(filter, query.limit)).map(present) });
    },
  });

  api.add({
    method: 'get', path: '/kb/articles/:id', operationId: 'getArticle', tag: 'knowledge base', access: 'agent', params: articleParam,
    summary: 'One article',
    responses: { 200: { description: 'The article', schema: articleView } },
    async handler({ params, res }) {
      const article = await kb.get(params.id);
      return article ? res.json(present(article)) : res.status(404).json(notFound);
    },
  });

  api.add({
    method: 'patch', path: '/kb/articles/:id', operationId: 'updateArticle', tag: 'knowledge base', access: 'agent', params: articleParam, body: articleBody,
    summary: 'Replace an article\'s problem, solution, tags, language and status (publish or unpublish)',
    responses: { 200: { description: 'The article', schema: articleView } },
    async handler({ params, body, res }) {
      res.json(present(await kb.update(params.id, body)));
    },
  });

  api.add({
    method: 'get', path: '/kb/search', operationId: 'searchArticles', tag: 'knowledge base', access: 'agent', query: searchQuery,
    summary: 'Articles ranked by the words of `q` (published only unless `drafts=1`)',
    responses: { 200: { description: 'Best first', schema: z.object({ results: z.array(articleView.extend({ score: z.number() })) }) } },
    async handler({ query, res }) {
      const drafts = query.drafts === '1' || query.drafts === 'true';
      const ranked = await kb.search(query.q, query.language, query.limit, drafts);
      res.json({ results: ranked.map((r) => ({ ...present(r.article), score: r.score })) });
    },
  });

  api.add({
    method: 'post', path: '/tickets/:number/save-as-solution', operationId: 'saveAsSolution', tag: 'knowledge base', access: 'agent',
    params: ticketParam, body: saveAsSolutionBody,
    summary: 'A draft article from a resolved or closed ticket: the customer\'s first message as the problem, the last public agent reply as the solution (unless given)',
    responses: { 201: { description: 'Created', schema: articleView } },
    async handler({ params, body, principal, res }) {
      const input = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      res.status(201).json(present(await kb.saveFromTicket(params.number, input, principal.actor.id)));
    },
  });

  api.add({
    method: 'get', path: '/tickets/:number/suggestions', operationId: 'ticketSuggestions', tag: 'knowledge base', access: 'agent', params: ticketParam,
    summary: 'What the customer was offered (and answered), and the best matches now, for the agent working the ticket',
    responses: {
      200: { description: 'Suggestions', schema: z.object({ offered: z.array(suggestionView), matches: z.array(articleView.extend({ score: z.number() })) }) },
    },
    async handler({ params, res }) {
      const ticket = await repos.tickets.byNumber(params.number);
      if (!ticket) return res.status(404).json({ error: 'not_found', message: `no ticket #${params.number}` });
      const offered = await kb.suggestionsOf(ticket.id);
      const first = (await repos.messages.listByTicket(ticket.id)).find((m) => m.opensTicket);
      const matches = await kb.search(`${ticket.subject}\n${first?.visibleText ?? ''}`, ticket.locale, 5, true);
      res.json({
        offered: offered.map(({ suggestion: s, article }) => ({
          articleId: s.articleId, problem: article?.problem ?? null, rank: s.rank, score: s.score, channel: s.channel,
          suggestedAt: s.suggestedAt.toISOString(), answer: s.answer ?? null, answeredAt: s.answeredAt?.toISOString() ?? null,
        })),
        matches: matches.map((r) => ({ ...present(r.article), score: r.score })),
      });
    },
  });
}
