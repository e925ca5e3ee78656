import mongoose, { type Connection } from 'mongoose';

export interface MongoTimeouts {
  /** How long a call waits for a usable server before it fails (transient). */
  serverSelectionTimeoutMs: number;
  /** How long one call may wait on its socket: a hung server must not stall a drain forever. */
  socketTimeoutMs: number;
}

const FAIL_FAST: MongoTimeouts = { serverSelectionTimeoutMs: 5000, socketTimeoutMs: 60_000 };

/**
 * Opens a mongoose connection; fails fast (serverSelectionTimeoutMS) when the server is down.
 * `autoCreate: false`: binding a model sends no `create` for its collection (a CLI command leaves
 * that to the gateway's start; a collection is also created by its first write).
 */
export async function connectMongo(uri: string, dbName: string, timeouts: MongoTimeouts = FAIL_FAST, options: { autoCreate?: boolean } = {}): Promise<Connection> {
  const conn = mongoose.createConnection(uri, {
    ...(options.autoCreate === false ? { autoCreate: false } : {}),
    dbName,
    serverSelectionTimeoutMS: timeouts.serverSelectionTimeoutMs,
    socketTimeoutMS: timeouts.socketTimeoutMs,
    bufferCommands: false, // fail fast instead of queueing while the server is away
    autoIndex: false, // indexes are created explicitly at start (ensureIndexes)
  });
  await conn.asPromise();
  return conn;
}

export async function pingMongo(conn: Connection): Promise<boolean> {
  try {
    await conn.db!.command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}
