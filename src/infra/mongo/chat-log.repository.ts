/**
 * The chat transcript (ChatLogRepository) on chat_keys, chat_lines and chat_conversations. Every
 * command is by `_id` (FerretDB 1.24 pushes down nothing else, not even an `_id` range, so anything
 * else would read every line of every conversation), and every write is a unique insert: FerretDB
 * 1.x makes neither `$inc` nor a conditional update atomic.
 *
 * A line costs two inserts, in this order:
 *   1. its key, `<conversation>#<key>` -> seq: the dedupe (a resent clientId, a redelivered reply
 *      finds it taken and gets the line stored first); a visitor's line claims it while its
 *      message is ingested (`claim`), since the claim needs only the key and the next number;
 *   2. the line, `<conversation>#<seq, 10 digits>`: taking the number (a number someone else took
 *      moves the key on to the next free one first, then tries that).
 * A key whose number holds no line of that key is a line never finished (a crash between the two):
 * the next append of that key finishes it. Lines are therefore dense, 1, 2, 3, …: what follows a
 * number is read by `_id` until the first number with no line, and the last number of a conversation
 * is known to this process after its first line there (found by probing once, then kept).
 * The conversation has one writer at a time (ChatHub's lock), so the kept number is only ever behind
 * when another process wrote meanwhile; the unique `_id` catches that.
 */
import { crashPoint, type ChatEntry, type ChatKeyClaim, type ChatLogRepository } from '../../core/index.ts';
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';

const SEQ_DIGITS = 10;
/** Conversations whose last number (and tickets whose conversation) one process keeps in memory. */
const KEPT = 20_000;
/** The most lines one read asks for at once (read-ahead doubles up to this). */
const MAX_BATCH = 32;

const lineId = (conversationId: string, seq: number) => `${conversationId}#${String(seq).padStart(SEQ_DIGITS, '0')}`;
const keyId = (conversationId: string, key: string) => `${conversationId}#${key}`;

type LineDoc = ChatEntry & { _id: string; conversationId: string };

function toEntry(doc: LineDoc): ChatEntry {
  return {
    seq: doc.seq, key: doc.key, author: doc.author, text: doc.text, at: doc.at, ticketNumber: doc.ticketNumber,
    ...(doc.agentName ? { agentName: doc.agentName } : {}),
  };
}

/** A Map that forgets its oldest entries beyond a size (what is forgotten is read again when needed). */
class Kept<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

export class MongoChatLogRepository implements ChatLogRepository {
  /** The last line number of a conversation as this process last wrote or found it. */
  private readonly heads = new Kept<number>(KEPT);
  /** `ticket:<number>` -> conversation: fixed once recorded, so kept. */
  private readonly conversations = new Kept<string>(KEPT);

  constructor(private readonly m: Models) {}

  async claim(conversationId: string, key: string): Promise<ChatKeyClaim> {
    const seq = (await this.head(conversationId)) + 1;
    try {
      await this.m.ChatKey.create({ _id: keyId(conversationId, key), seq });
      return { key, seq, taken: false };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return { key, seq, taken: true };
    }
  }

  async append(conversationId: string, line: Omit<ChatEntry, 'seq'>, claimed?: ChatKeyClaim): Promise<{ entry: ChatEntry; duplicate: boolean }> {
    if (claimed && claimed.key !== line.key) throw new Error(`claim of key ${claimed.key} used for a line of key ${line.key}`);
    const key = keyId(conversationId, line.key);
    const claim = claimed ?? await this.claim(conversationId, line.key);
    let { seq } = claim;
    if (claim.taken) {
      const held = await this.m.ChatKey.findById(key).lean<{ seq: number }>();
      const stored = held ? await this.lineAt(conversationId, held.seq) : null;
      if (stored?.key === line.key) {
        await this.recordConversation(stored.ticketNumber, conversationId);
        return { entry: stored, duplicate: true };
      }
      // Taken but never finished (a crash between key and line): finish it under the next free number.
      seq = (await this.head(conversationId, true)) + 1;
      await this.m.ChatKey.updateOne({ _id: key }, { $set: { seq } });
    }
    crashPoint('chat.after-key-claim');
    // The ticket's conversation record does not depend on the line: both writes go out at once
    // (a crash after either is finished by the key's next append, which records the conversation).
    const [entry] = await Promise.all([this.insertLine(conversationId, key, seq, line), this.recordConversation(line.ticketNumber, conversationId)]);
    crashPoint('chat.after-line-insert');
    return { entry, duplicate: false };
  }

  /** Inserts the line at `seq`, or, when another process took it, moves its key to the next free number first. */
  private async insertLine(conversationId: string, key: string, seq: number, line: Omit<ChatEntry, 'seq'>): Promise<ChatEntry> {
    for (;;) {
      try {
        await this.m.ChatLine.create({ _id: lineId(conversationId, seq), conversationId, seq, ...line });
        this.heads.set(conversationId, seq);
        return { seq, ...line };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        seq = (await this.headFrom(conversationId, seq)) + 1;
        await this.m.ChatKey.updateOne({ _id: key }, { $set: { seq } });
      }
    }
  }

  /** The conversation's last number: kept, or found by probing (`fresh`: found again). */
  private async head(conversationId: string, fresh = false): Promise<number> {
    const kept = fresh ? undefined : this.heads.get(conversationId);
    if (kept !== undefined) return kept;
    const found = await this.headFrom(conversationId, 0);
    this.heads.set(conversationId, found);
    return found;
  }

  /**
   * The last number at or after `known` (a number with a line, or 0): doubling steps until a number
   * has no line, then halving between the two. A few `_id` reads, once per conversation and process.
   */
  private async headFrom(conversationId: string, known: number): Promise<number> {
    let low = known;
    let step = 1;
    while (await this.exists(conversationId, low + step)) {
      low += step;
      step *= 2;
    }
    let high = low + step; // has no line
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await this.exists(conversationId, mid)) low = mid;
      else high = mid;
    }
    return low;
  }

  private async exists(conversationId: string, seq: number): Promise<boolean> {
    return Boolean(await this.m.ChatLine.findById(lineId(conversationId, seq), { _id: 1 }).lean());
  }

  private async lineAt(conversationId: string, seq: number): Promise<ChatEntry | null> {
    const doc = await this.m.ChatLine.findById(lineId(conversationId, seq)).lean<LineDoc>();
    return doc ? toEntry(doc) : null;
  }

  /** Which conversation a ticket's lines are in, recorded by its first line (once per ticket and process). */
  private async recordConversation(ticketNumber: number, conversationId: string): Promise<void> {
    const id = `ticket:${ticketNumber}`;
    if (this.conversations.get(id) === conversationId) return;
    await this.m.ChatConversation.create({ _id: id, conversationId }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
    this.conversations.set(id, conversationId);
  }

  async byKey(conversationId: string, key: string): Promise<ChatEntry | null> {
    const doc = await this.m.ChatKey.findById(keyId(conversationId, key)).lean<{ seq: number }>();
    if (!doc) return null;
    const line = await this.lineAt(conversationId, doc.seq);
    return line?.key === key ? line : null;
  }

  /**
   * Lines after `afterSeq`, in order: by `_id`, a few at a time in parallel (one read first, then
   * twice as many each round), up to the first number with no line.
   */
  async after(conversationId: string, afterSeq: number, limit: number): Promise<ChatEntry[]> {
    const lines: ChatEntry[] = [];
    let batch = 1;
    while (lines.length < limit) {
      const from = afterSeq + lines.length + 1;
      const count = Math.min(batch, limit - lines.length);
      const found = await Promise.all(Array.from({ length: count }, (_, i) => this.lineAt(conversationId, from + i)));
      for (const line of found) {
        if (!line) return lines;
        lines.push(line);
      }
      batch = Math.min(batch * 2, MAX_BATCH);
    }
    return lines;
  }

  async conversationOf(ticketNumber: number): Promise<string | null> {
    const id = `ticket:${ticketNumber}`;
    const kept = this.conversations.get(id);
    if (kept) return kept;
    const doc = await this.m.ChatConversation.findById(id).lean<{ conversationId: string }>();
    if (doc) this.conversations.set(id, doc.conversationId);
    return doc?.conversationId ?? null;
  }
}
