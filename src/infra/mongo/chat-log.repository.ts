/**
 * The chat transcript (ChatLogRepository) on chat_lines, chat_keys and chat_conversations. Every
 * write is a unique insert by `_id`: FerretDB 1.x makes neither `$inc` nor a conditional update
 * atomic, so a sequence number is taken by inserting `<conversation>#<seq>` and trying the next
 * one when somebody else got there first.
 */
import { crashPoint, type ChatEntry, type ChatLogRepository } from '../../core/index.ts';
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';

const SEQ_DIGITS = 10;
const lineId = (conversationId: string, seq: number) => `${conversationId}#${String(seq).padStart(SEQ_DIGITS, '0')}`;
const keyId = (conversationId: string, key: string) => `${conversationId}#${key}`;

type LineDoc = ChatEntry & { _id: string; conversationId: string };

function toEntry(doc: LineDoc): ChatEntry {
  return {
    seq: doc.seq, key: doc.key, author: doc.author, text: doc.text, at: doc.at, ticketNumber: doc.ticketNumber,
    ...(doc.agentName ? { agentName: doc.agentName } : {}),
  };
}

export class MongoChatLogRepository implements ChatLogRepository {
  constructor(private readonly m: Models) {}

  async append(conversationId: string, line: Omit<ChatEntry, 'seq'>): Promise<{ entry: ChatEntry; duplicate: boolean }> {
    const known = await this.byKey(conversationId, line.key);
    if (known) return { entry: known, duplicate: true };
    // A crash after the line but before its key leaves a line without a key: adopt it.
    const orphan = await this.m.ChatLine.findOne({ conversationId, key: line.key }).lean<LineDoc>();
    const entry = orphan ? toEntry(orphan) : await this.insertNext(conversationId, line);
    crashPoint('chat.after-line-insert');
    try {
      await this.m.ChatKey.create({ _id: keyId(conversationId, line.key), seq: entry.seq });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // The same key raced in from elsewhere and won: ours is withdrawn, theirs is the line.
      const winner = await this.byKey(conversationId, line.key);
      if (!winner) throw err;
      if (winner.seq !== entry.seq) await this.m.ChatLine.deleteOne({ _id: lineId(conversationId, entry.seq) });
      return { entry: winner, duplicate: true };
    }
    await this.m.ChatConversation.create({ _id: `ticket:${line.ticketNumber}`, conversationId }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
    return { entry, duplicate: false };
  }

  private async insertNext(conversationId: string, line: Omit<ChatEntry, 'seq'>): Promise<ChatEntry> {
    let seq = (await this.lastSeq(conversationId)) + 1;
    for (;;) {
      try {
        await this.m.ChatLine.create({ _id: lineId(conversationId, seq), conversationId, seq, ...line });
        return { seq, ...line };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        seq += 1;
      }
    }
  }

  private async lastSeq(conversationId: string): Promise<number> {
    const last = await this.m.ChatLine.findOne({ _id: { $gt: lineId(conversationId, 0), $lte: lineId(conversationId, 10 ** SEQ_DIGITS - 1) } })
      .sort({ _id: -1 }).lean<LineDoc>();
    return last?.seq ?? 0;
  }

  async byKey(conversationId: string, key: string): Promise<ChatEntry | null> {
    const doc = await this.m.ChatKey.findById(keyId(conversationId, key)).lean<{ seq: number }>();
    if (!doc) return null;
    const line = await this.m.ChatLine.findById(lineId(conversationId, doc.seq)).lean<LineDoc>();
    return line ? toEntry(line) : null;
  }

  async after(conversationId: string, afterSeq: number, limit: number): Promise<ChatEntry[]> {
    const docs = await this.m.ChatLine.find({ _id: { $gt: lineId(conversationId, afterSeq), $lte: lineId(conversationId, 10 ** SEQ_DIGITS - 1) } })
      .sort({ _id: 1 }).limit(limit).lean<LineDoc[]>();
    return docs.map(toEntry);
  }

  async conversationOf(ticketNumber: number): Promise<string | null> {
    const doc = await this.m.ChatConversation.findById(`ticket:${ticketNumber}`).lean<{ conversationId: string }>();
    return doc?.conversationId ?? null;
  }
}
