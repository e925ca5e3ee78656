/** The end of a test file that started a gateway of its own. */
import type { Connection } from 'mongoose';

/**
 * Drops the gateway's test database, then stops the gateway and the SMTP sink. Either may be
 * missing when `beforeAll` failed part-way; the drop is best effort (the database may be gone).
 */
export async function stopGateway(gateway: { conn: Pick<Connection, 'dropDatabase'>; stop(): Promise<unknown> } | undefined, sink?: { stop(): Promise<unknown> }): Promise<void> {
  await gateway?.conn.dropDatabase().catch(() => {});
  await gateway?.stop();
  await sink?.stop();
}
