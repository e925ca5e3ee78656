/**
 * Knowledge base collections. `kb_articles` keeps each article's distinct search terms as a plain
 * string array (`terms`): the test server has no `$text` index, so a search is `terms: {$in: ...}`
 * and the ranking runs in the core (src/core/knowledge/ranking.ts). `kb_suggestions` has one
 * document per article offered for a ticket, `_id` `<ticketId>~<articleId>`.
 */
import { Schema, type Connection } from 'mongoose';
import { ARTICLE_STATUSES, LOCALES } from '../../core/index.ts';

const CHANNELS = ['email', 'chat', 'webform'];

const opts = { versionKey: false as const, strict: 'throw' as const };

export const articleSchema = new Schema({
  _id: String,
  problem: { type: String, required: true },
  solution: { type: String, required: true },
  tags: [String],
  language: { type: String, enum: LOCALES, required: true },
  status: { type: String, enum: ARTICLE_STATUSES, required: true },
  terms: [String],
  sourceTicketNumber: Number,
  createdBy: String,
  createdAt: Date,
  updatedAt: Date,
}, { ...opts, collection: 'kb_articles' });
articleSchema.index({ language: 1, status: 1 });

export const suggestionSchema = new Schema({
  _id: String,
  ticketId: { type: String, required: true, index: true },
  ticketNumber: Number,
  articleId: String,
  channel: { type: String, enum: CHANNELS },
  language: { type: String, enum: LOCALES },
  rank: Number,
  score: Number,
  suggestedAt: Date,
  answer: { type: String, enum: ['solved', 'not-solved'] },
  answeredAt: Date,
}, { ...opts, collection: 'kb_suggestions' });

export function knowledgeModels(conn: Connection) {
  const model = <T extends Schema>(name: string, schema: T) => conn.models[name] ?? conn.model(name, schema);
  return {
    Article: model('KbArticle', articleSchema) as ReturnType<typeof conn.model>,
    Suggestion: model('KbSuggestion', suggestionSchema) as ReturnType<typeof conn.model>,
  };
}

export type KnowledgeModels = ReturnType<typeof knowledgeModels>;
