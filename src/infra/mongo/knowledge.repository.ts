/** Knowledge base articles and suggestions in MongoDB (the core's KnowledgeStores). */
import type { Connection } from 'mongoose';
import type {
  Article, ArticleFilter, ArticleRepository, KnowledgeStores, Suggestion, SuggestionAnswer, SuggestionRepository,
} from '../../core/index.ts';
import { fromDoc } from './doc-mapper.ts';
import { isDuplicateKey } from './ids.ts';
import { knowledgeModels, type KnowledgeModels } from './knowledge.schemas.ts';
import { translateErrors } from './transient-errors.ts';

const toArticle = (doc: object) => {
  const article = fromDoc<Article>(doc);
  return { ...article, tags: article.tags ?? [], terms: article.terms ?? [] };
};

function articleQuery(filter: ArticleFilter): Record<string, unknown> {
  return {
    ...(filter.language ? { language: filter.language } : {}),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.anyTerm ? { terms: { $in: filter.anyTerm } } : {}),
  };
}

class MongoArticleRepository implements ArticleRepository {
  constructor(private readonly m: KnowledgeModels) {}

  async insert(article: Article): Promise<Article> {
    const { id, ...fields } = article;
    await this.m.Article.create({ _id: id, ...fields });
    return article;
  }

  async update(id: string, change: Parameters<ArticleRepository['update']>[1]): Promise<Article | null> {
    const doc = await this.m.Article.findOneAndUpdate({ _id: id }, { $set: change }, { new: true }).lean();
    return doc ? toArticle(doc) : null;
  }

  async byId(id: string): Promise<Article | null> {
    const doc = await this.m.Article.findById(id).lean();
    return doc ? toArticle(doc) : null;
  }

  async list(filter: ArticleFilter, limit: number): Promise<Article[]> {
    const docs = await this.m.Article.find(articleQuery(filter)).sort({ updatedAt: -1, _id: 1 }).limit(limit).lean();
    return docs.map(toArticle);
  }

  count(filter: ArticleFilter): Promise<number> {
    return this.m.Article.countDocuments(articleQuery(filter));
  }
}

class MongoSuggestionRepository implements SuggestionRepository {
  constructor(private readonly m: KnowledgeModels) {}

  async record(suggestion: Suggestion): Promise<boolean> {
    const { id, ...fields } = suggestion;
    try {
      await this.m.Suggestion.create({ _id: id, ...fields });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async byId(id: string): Promise<Suggestion | null> {
    const doc = await this.m.Suggestion.findById(id).lean();
    return doc ? fromDoc<Suggestion>(doc) : null;
  }

  async byTicket(ticketId: string): Promise<Suggestion[]> {
    return (await this.m.Suggestion.find({ ticketId }).lean()).map((d) => fromDoc<Suggestion>(d));
  }

  async answer(id: string, answer: SuggestionAnswer, at: Date): Promise<boolean> {
    const result = await this.m.Suggestion.updateOne({ _id: id }, { $set: { answer, answeredAt: at } });
    return result.matchedCount > 0;
  }

  async forTickets(ticketIds: string[]): Promise<Suggestion[]> {
    if (!ticketIds.length) return [];
    return (await this.m.Suggestion.find({ ticketId: { $in: ticketIds } }).lean()).map((d) => fromDoc<Suggestion>(d));
  }
}

/** The stores on their models; the database is prepared (indexes) by store-preparation.ts. */
export function createKnowledgeStores(conn: Connection): KnowledgeStores {
  const m = knowledgeModels(conn);
  return {
    articles: translateErrors(new MongoArticleRepository(m)),
    suggestions: translateErrors(new MongoSuggestionRepository(m)),
  };
}
