/** The raw parts of email intake: mailparser's parse plus one driver insertOne per mail. */
import { simpleParser } from 'mailparser';
import type mongoose from 'mongoose';

export const BASELINE_COLLECTION = 'bench_baseline_mails';

export async function parseAndInsert(db: mongoose.mongo.Db, raw: Buffer): Promise<void> {
  const parsed = await simpleParser(raw);
  await db.collection(BASELINE_COLLECTION).insertOne({
    messageId: parsed.messageId, from: parsed.from?.text, to: parsed.to ? [parsed.to].flat().map((a) => a.text) : [],
    subject: parsed.subject, date: parsed.date, text: parsed.text, html: parsed.html || undefined,
    attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
    receivedAt: new Date(),
  });
}
