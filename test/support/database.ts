/** A database of this test file's own on the run's test server, and a clean way to drop it. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Connection } from 'mongoose';
import { connectMongo } from '../../src/infra/db/mongo.connection.ts';

export function testDbName(label: string): string {
  return `t_${label.replace(/[^a-z0-9]/gi, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
}

export function mongoUri(): string {
  return inject('mongoUri');
}

export async function openTestDb(label: string): Promise<{ conn: Connection; dbName: string; drop(): Promise<void> }> {
  const dbName = testDbName(label);
  const conn = await connectMongo(mongoUri(), dbName);
  return {
    conn, dbName,
    drop: async () => {
      await conn.dropDatabase().catch(() => {});
      await conn.close();
    },
  };
}
