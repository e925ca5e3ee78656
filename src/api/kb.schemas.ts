/** Request and response shapes of the knowledge base API (validated here, documented from here). */
import { z } from 'zod';
import { ARTICLE_STATUSES, LOCALES } from '../core/index.ts';

/** Lengths are capped before any text reaches the tokenizer. */
export const articleBody = z.object({
  problem: z.string().trim().min(3).max(300),
  solution: z.string().trim().min(3).max(20_000),
  tags: z.array(z.string().trim().toLowerCase().min(1).max(40).regex(/^[\p{L}\p{N} _-]+$/u, 'letters, digits, space, _ and - only')).max(20).default([]),
  language: z.enum(LOCALES),
  status: z.enum(ARTICLE_STATUSES).default('draft'),
}).strict();

export const saveAsSolutionBody = z.object({
  problem: z.string().trim().min(3).max(300).optional(),
  solution: z.string().trim().min(3).max(20_000).optional(),
  tags: articleBody.shape.tags.optional(),
  language: z.enum(LOCALES).optional(),
  status: z.enum(ARTICLE_STATUSES).optional(),
}).strict();

export const articleParam = z.object({ id: z.string().regex(/^kb_[0-9a-f]{16}$/, 'not an article id') }).strict();

export const articleListQuery = z.object({
  language: z.enum(LOCALES).optional(),
  status: z.enum(ARTICLE_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
}).strict();

export const searchQuery = z.object({
  q: z.string().min(1).max(2000),
  language: z.enum(LOCALES),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  drafts: z.enum(['0', '1', 'true', 'false']).optional(),
}).strict();

export const articleView = z.object({
  id: z.string(), problem: z.string(), solution: z.string(), tags: z.array(z.string()), language: z.enum(LOCALES),
  status: z.enum(ARTICLE_STATUSES), sourceTicketNumber: z.number().nullable(), createdBy: z.string(),
  createdAt: z.string(), updatedAt: z.string(), publicUrl: z.string().nullable(),
});

export const suggestionView = z.object({
  articleId: z.string(), problem: z.string().nullable(), rank: z.number(), score: z.number(), channel: z.string(),
  suggestedAt: z.string(), answer: z.enum(['solved', 'not-solved']).nullable(), answeredAt: z.string().nullable(),
});
