/**
 * Claiming and settling outbox entries in batches, in few round trips, each of which costs the same
 * however many mails were ever sent (FerretDB 1.x pushes down only `_id` equality, and even an
 * update or delete by `_id` scans its collection; an insert does not):
 *
 * - the due scan reads `outbox`, which holds only waiting entries;
 * - a claim is an insert of `<id>#<attempt>` into `outbox_claims` (one insertMany per batch), naming
 *   the sender; the waiting entry itself is not written, so its `attempts` still counts the
 *   attempts recorded before this one: that is the fence every later write checks;
 * - a sender's lease is its document in `outbox_senders` (one heartbeat for all its claims);
 * - a finished entry is inserted into `outbox_done`, then deleted from `outbox` (one deleteMany
 *   per batch). A crash in between, or an enqueue replayed after the move (a crash-retried ingest
 *   queues its acknowledgement again), leaves a waiting copy that the next claim finds finished
 *   in `outbox_done` (one read by `_id`) and deletes instead of sending it again.
 * - a sent entry's waiting copy is deleted by the next claim round (beside its due scan) or the
 *   dispatcher's sweep at the end of its pass, not by the settle that recorded it: the fenced
 *   delete scans `outbox` (its filter is more than `_id`), so one per claim round instead of one
 *   per group commit, and recording a sent mail is one insert. Until then this process's scans
 *   leave the copy out; another process's claim finds it finished, as after a crash.
 */
import type { OutboxClaimRequest, OutboxClaimResult, OutboxEntry, OutboxSettlement } from '../../core/index.ts';
import { fromDoc } from './doc-mapper.ts';
import type { Models } from './models.ts';

type Doc = Record<string, unknown> & { _id: string; attempts?: number; resends?: number };

/** An empty array may come back absent (a mail with no References); the mail variant always has its lists. */
export function toEntry(doc: object): OutboxEntry {
  const entry = fromDoc<OutboxEntry>(doc);
  return entry.channel === 'email' ? { ...entry, references: entry.references ?? [], headers: entry.headers ?? [] } : entry;
}

/**
 * Whether the finished copy `done` is the same round as the waiting `live` one or a later
 * state of it (then `live` is a leftover), rather than an earlier round an agent has resent since.
 */
export function supersedes(done: { attempts?: number; resends?: number }, live: { attempts?: number; resends?: number }): boolean {
  const [dr, lr] = [done.resends ?? 0, live.resends ?? 0];
  return dr > lr || (dr === lr && (done.attempts ?? 0) >= (live.attempts ?? 0));
}

/** Indexes of the documents an unordered insertMany refused as duplicates (anything else is thrown). */
async function insertAll(collection: { insertMany(docs: object[], o: object): Promise<unknown> }, docs: object[]): Promise<Set<number>> {
  const dups = new Set<number>();
  if (!docs.length) return dups;
  try {
    await collection.insertMany(docs, { ordered: false });
  } catch (err) {
    const errors = (err as { writeErrors?: { index: number; code?: number }[] | { index: number; code?: number } }).writeErrors;
    const list = Array.isArray(errors) ? errors : errors ? [errors] : [];
    if (!list.length || list.some((e) => e.code !== 11000)) throw err;
    for (const e of list) dups.add(e.index);
  }
  return dups;
}

export class OutboxClaims {
  /** Waiting copies of entries settled as sent, not yet deleted: id -> the attempts their delete is fenced by. */
  private readonly unswept = new Map<string, number>();
  private sweeping: Promise<void> | undefined;

  constructor(private readonly m: Models) {}

  /** Deletes the waiting copies of entries settled as sent (one scan of `outbox` for all of them). */
  sweep(): Promise<void> {
    if (!this.sweeping && this.unswept.size) this.sweeping = this.sweepAll().finally(() => { this.sweeping = undefined; });
    return this.sweeping ?? Promise.resolve();
  }

  private async sweepAll(): Promise<void> {
    while (this.unswept.size) {
      const batch = [...this.unswept];
      await this.m.Outbox.deleteMany({ $or: batch.map(([_id, attempts]) => ({ _id, attempts })) });
      for (const [id, attempts] of batch) if (this.unswept.get(id) === attempts) this.unswept.delete(id);
    }
  }

  async heartbeat(sender: string, until: Date): Promise<void> {
    await this.m.OutboxSender.updateOne({ _id: sender }, { $set: { until } }, { upsert: true });
  }

  async retire(sender: string): Promise<void> {
    await this.m.OutboxSender.deleteOne({ _id: sender });
  }

  async claimDue(now: Date, req: OutboxClaimRequest): Promise<OutboxClaimResult> {
    const heldElsewhere: OutboxClaimResult['heldElsewhere'] = [];
    const exclude = new Set([...req.exclude, ...this.unswept.keys()]);
    // In the background, beside the due scan, which leaves these copies out; a sweep that fails
    // keeps them for the next one (the dispatcher's sweep at the end of the pass reports errors).
    void this.sweep().catch(() => {});
    return this.claimRounds(now, req, exclude, heldElsewhere);
  }

  private async claimRounds(now: Date, req: OutboxClaimRequest, exclude: Set<string>, heldElsewhere: OutboxClaimResult['heldElsewhere']): Promise<OutboxClaimResult> {
    // A round that only passed on abandoned claims tries again at once (those entries are due now).
    for (let round = 0; round < 3; round++) {
      const filter: Record<string, unknown> = { status: { $in: ['pending', 'sending'] }, nextAttemptAt: { $lte: now }, channel: { $in: req.channels } };
      if (exclude.size) filter._id = { $nin: [...exclude] };
      const due = await this.m.Outbox.find(filter).sort({ nextAttemptAt: 1 }).limit(req.limit).lean<Doc[]>();
      if (!due.length) break;
      if (round === 0) await req.beforeClaim?.();
      const tokens = due.map((d) => `${d._id}#${(d.attempts ?? 0) + 1}`);
      const lost = await insertAll(this.m.OutboxClaim.collection, tokens.map((_id) => ({ _id, at: now, sender: req.sender })));
      const won = due.filter((_, i) => !lost.has(i));
      const [fresh, passed] = await Promise.all([
        this.dropFinished(won),
        this.inspectLost(now, req, due.filter((_, i) => lost.has(i)), heldElsewhere),
      ]);
      for (const d of due) exclude.add(d._id);
      const claimed = fresh.map((d) => toEntry({ ...d, claimToken: `${d._id}#${(d.attempts ?? 0) + 1}`, attempts: (d.attempts ?? 0) + 1 }));
      if (claimed.length || !passed) return { claimed, heldElsewhere };
      for (const id of passed) exclude.delete(id);
    }
    return { claimed: [], heldElsewhere };
  }

  /** Claimed entries that `outbox_done` shows finished (see the file comment) are deleted, not sent. */
  private async dropFinished(won: Doc[]): Promise<Doc[]> {
    const done = await Promise.all(won.map((d) => this.m.OutboxDone.findById(d._id, { attempts: 1, resends: 1 }).lean<Doc>()));
    const leftovers = won.filter((d, i) => done[i] && supersedes(done[i]!, d));
    if (leftovers.length) await this.m.Outbox.deleteMany({ $or: leftovers.map((d) => ({ _id: d._id, attempts: d.attempts ?? 0 })) });
    return won.filter((d, i) => !(done[i] && supersedes(done[i]!, d)));
  }

  /**
   * Entries whose next claim id was taken: held by a live sender (reported, so the caller looks
   * elsewhere), or abandoned (its sender's lease ran out, it retired, or it is the caller itself,
   * which holds only what it excludes). An abandoned attempt counts as made, so the next claim
   * takes the one after; returns those ids, or 0 when there were none.
   */
  private async inspectLost(now: Date, req: OutboxClaimRequest, lost: Doc[], heldElsewhere: OutboxClaimResult['heldElsewhere']): Promise<string[] | 0> {
    if (!lost.length) return 0;
    const claims = await Promise.all(lost.map((d) => this.m.OutboxClaim.findById(`${d._id}#${(d.attempts ?? 0) + 1}`).lean<{ at?: Date; sender?: string }>()));
    const senders = new Map<string, Promise<Date | undefined>>();
    const leaseOf = (sender: string) => {
      if (!senders.has(sender)) senders.set(sender, this.m.OutboxSender.findById(sender).lean<{ until?: Date }>().then((s) => s?.until));
      return senders.get(sender)!;
    };
    const passed: string[] = [];
    await Promise.all(lost.map(async (d, i) => {
      const claim = claims[i];
      let heldUntil: Date | undefined;
      if (claim?.sender && claim.sender !== req.sender) {
        const until = await leaseOf(claim.sender);
        if (until && until.getTime() > now.getTime()) heldUntil = until;
      } else if (!claim?.sender && claim?.at && now.getTime() - new Date(claim.at).getTime() <= req.leaseMs) {
        heldUntil = new Date(new Date(claim.at).getTime() + req.leaseMs); // an older version's claim: its lease was its age
      }
      if (heldUntil) {
        heldElsewhere.push({ id: d._id, until: heldUntil });
        return;
      }
      const attempts = (d.attempts ?? 0) + 1;
      await this.m.Outbox.updateOne({ _id: d._id, attempts: d.attempts ?? 0 }, { $set: { attempts } });
      passed.push(d._id);
    }));
    return passed.length ? passed : 0;
  }

  async settle(settlements: OutboxSettlement[]): Promise<boolean[]> {
    const ok = new Array<boolean>(settlements.length).fill(true);
    const before = (s: OutboxSettlement) => s.entry.attempts - 1; // the waiting copy's count while the claim is current
    // A sender whose lease had a gap checks that its claim was not passed on meanwhile.
    await Promise.all(settlements.map(async (s, i) => {
      if (!s.verify) return;
      const live = await this.m.Outbox.findById(s.entry.id, { attempts: 1 }).lean<Doc>();
      if (!live || (live.attempts ?? 0) !== before(s)) ok[i] = false;
    }));
    const finals = settlements.map((s, i) => ({ s, i })).filter(({ s, i }) => ok[i] && s.status !== 'retry');
    const docs = finals.map(({ s }) => this.finishedDoc(s as Exclude<OutboxSettlement, { status: 'retry' }>));
    const dups = await insertAll(this.m.OutboxDone.collection, docs);
    await Promise.all([...dups].map(async (k) => {
      // Already finished: a copy of an earlier round (an agent resent it since) gives way; the same round stands.
      const existing = await this.m.OutboxDone.findById(docs[k]!._id, { attempts: 1, resends: 1 }).lean<Doc>();
      if (existing && !supersedes(existing, docs[k]!)) await this.m.OutboxDone.replaceOne({ _id: docs[k]!._id }, docs[k]!);
      else ok[finals[k]!.i] = false;
    }));
    const unsent = finals.filter(({ s }) => s.status !== 'sent');
    if (unsent.length) await this.m.Outbox.deleteMany({ $or: unsent.map(({ s }) => ({ _id: s.entry.id, attempts: before(s) })) });
    // Failed and undelivered entries leave the queue at once (an agent's resend inserts them again).
    for (const { s } of finals) if (s.status === 'sent') this.unswept.set(s.entry.id, before(s));
    await Promise.all(settlements.map(async (s, i) => {
      if (!ok[i] || s.status !== 'retry') return;
      const res = await this.m.Outbox.updateOne(
        { _id: s.entry.id, attempts: before(s) },
        { $set: { status: 'pending', attempts: s.entry.attempts, lastError: s.error, nextAttemptAt: s.nextAttemptAt } },
      );
      ok[i] = res.matchedCount === 1;
    }));
    return ok;
  }

  private finishedDoc(s: Exclude<OutboxSettlement, { status: 'retry' }>): Doc {
    const fields: Record<string, unknown> = { ...s.entry };
    for (const key of ['id', 'claimToken', 'lastError', 'receipt']) delete fields[key];
    const id = s.entry.id;
    const outcome = s.status === 'sent'
      ? { receipt: s.receipt, sentAt: s.at }
      : { lastError: s.error, nextAttemptAt: s.at };
    return { ...fields, _id: id, status: s.status, ...outcome } as Doc;
  }

  /** Entries an older version finished in place (it kept them in `outbox`): moved, oldest first. */
  async moveFinished(limit: number): Promise<number> {
    const finished = await this.m.Outbox.find({ status: { $in: ['sent', 'failed', 'undelivered'] } }).limit(limit).lean<Doc[]>();
    if (!finished.length) return 0;
    await insertAll(this.m.OutboxDone.collection, finished);
    await this.m.Outbox.deleteMany({ $or: finished.map((d) => ({ _id: d._id, status: d.status as 'sent' })) });
    return finished.length;
  }
}
