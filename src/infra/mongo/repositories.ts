import type { Connection } from 'mongoose';
import type { Repositories } from '../../core/index.ts';
import {
  MongoAckLogRepository, MongoEventRepository, MongoQuarantineRepository, MongoSuppressionRepository,
} from './audit.repositories.ts';
import { MongoChatFollowUpRepository } from './chat-follow-up.repository.ts';
import { MongoCheckpointStore } from './checkpoint.store.ts';
import { MongoContactRepository } from './contact.repository.ts';
import { GridFsBlobStore } from './gridfs.blob-store.ts';
import { MongoIngestAttemptRepository } from './ingest-attempt.repository.ts';
import { MongoIntakeRuleStore } from './intake-rule.repository.ts';
import { MongoMessageRepository } from './message.repository.ts';
import type { Models } from './models.ts';
import { MongoOutboxRepository } from './outbox.repository.ts';
import { MongoTicketRepository } from './ticket.repository.ts';
import { translateErrors } from './transient-errors.ts';

/** Every repository speaks the core's errors: a driver's connectivity failure is a TransientError. */
export function createRepositories(conn: Connection, models: Models, options: { fanoutWanted?: (eventType: string) => Promise<boolean> } = {}): Repositories {
  const repos: Repositories = {
    tickets: new MongoTicketRepository(models),
    messages: new MongoMessageRepository(models),
    contacts: new MongoContactRepository(models),
    events: new MongoEventRepository(models, options.fanoutWanted),
    outbox: new MongoOutboxRepository(models),
    ackLog: new MongoAckLogRepository(models),
    quarantine: new MongoQuarantineRepository(models),
    blobs: new GridFsBlobStore(conn.db!),
    checkpoints: new MongoCheckpointStore(models),
    suppressions: new MongoSuppressionRepository(models),
    attempts: new MongoIngestAttemptRepository(models),
    chatFollowUps: new MongoChatFollowUpRepository(models),
    intakeRules: new MongoIntakeRuleStore(models),
  };
  return Object.fromEntries(Object.entries(repos).map(([k, repo]) => [k, translateErrors(repo)])) as unknown as Repositories;
}
