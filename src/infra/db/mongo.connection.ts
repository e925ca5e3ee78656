import mongoose, { type Connection } from 'mongoose';

/** Opens a mongoose connection; fails fast (serverSelectionTimeoutMS) when the server is down. */
export async function connectMongo(uri: string, dbName: string, timeoutMs = 5000): Promise<Connection> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    serverSelectionTimeoutMS: timeoutMs,
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
