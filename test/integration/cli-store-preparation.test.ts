/**
 * A CLI command (`helpdesk pipe`, one process per mail) does not prepare the database on every
 * call: the gateway creates collections and indexes at its start, and a command reads one marker
 * by `_id` and prepares only a database nobody prepared for this layout yet.
 */
import mongoose, { type Connection } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCore } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';

describe('database preparation by CLI commands', () => {
  const open: Connection[] = [];
  afterAll(async () => {
    await open[0]?.dropDatabase().catch(() => {});
    for (const conn of open) await conn.close();
  });

  const dbName = testDbName('cli_prepare');
  /** A core the way a CLI command builds it, and the commands it sent while starting. */
  async function commandCore() {
    const conn = await mongoose.createConnection(mongoUri(), { dbName, monitorCommands: true, autoIndex: false, autoCreate: false, bufferCommands: false }).asPromise();
    open.push(conn);
    const seen: string[] = [];
    conn.getClient().on('commandStarted', (e: CommandStartedEvent) => { seen.push(e.commandName); });
    await buildCore(testConfig({ database: { dbName } }), conn, createLogger('silent'), undefined, [], undefined, { store: 'if-unprepared' });
    return { conn, commands: seen.filter((c) => !['hello', 'isMaster', 'ismaster', 'ping', 'endSessions'].includes(c)) };
  }

  it('prepares a database no gateway prepared yet, and after that starts with one read', async () => {
    const first = await commandCore();
    expect(first.commands).toContain('createIndexes');
    const ticketIndexes = await first.conn.db!.collection('tickets').indexes();
    expect(ticketIndexes.some((i) => i.key.number === 1 && i.unique)).toBe(true);

    const next = await commandCore();
    expect(next.commands).toEqual(['find']);
  });
});
