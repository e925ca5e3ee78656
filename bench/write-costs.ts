/**
 * `npx tsx bench/write-costs.ts`: what one command costs the database server by kind and by
 * collection size (server CPU per operation, from /proc, and wall time), with the bench's own
 * FerretDB. Written to answer "which writes get slower as mail piles up" (docs/architecture.md,
 * "Round trips per mail"): on a stock FerretDB 1.24 (SQLite) every command by `_id` but an insert costs in
 * proportion to the collection; with the build of scripts/install-ferretdb.sh none does.
 * `FERRETDB_BIN=<binary>` measures another build. Ten operations run at a time, like the web form
 * scenario's ten connections.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { MongoClient, type Collection, type UpdateFilter } from 'mongodb';
import { startBenchDatabase } from './lib/database.ts';
import { measureProcess } from './lib/proc-usage.ts';

const OPS = 300;
const SIZES = [100, 1000, 3000];

/** The FerretDB this process started (its child). */
function serverPid(): number {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ferretdb')) return Number(pid);
    } catch { /* gone meanwhile */ }
  }
  throw new Error('no FerretDB child process (is MONGODB_URI set? this probe measures its own FerretDB)');
}

type Doc = { _id: string } & Record<string, unknown>;
const message = (i: number): Doc => ({
  _id: `m_${i}`, ticketId: 'tk_1', channel: 'webform', externalId: `submit:${i}`, subject: 'A question', text: 'x'.repeat(250),
  from: { address: 'a@example.org', name: 'A' }, complete: false, createdAt: new Date(),
});

async function measure(pid: number, name: string, op: (i: number) => Promise<unknown>): Promise<string> {
  const usage = measureProcess(pid);
  const started = performance.now();
  let next = 0;
  let failed = 0;
  await Promise.all(Array.from({ length: 10 }, async () => {
    // FerretDB-SQLite answers some concurrent writes with "database is locked": counted, not fatal.
    for (let i = next++; i < OPS; i = next++) await op(i).catch(() => { failed++; });
  }));
  const wall = (performance.now() - started) / OPS;
  const cpu = usage.stop().cpuMs / OPS;
  return `| ${name} | ${cpu.toFixed(1)} | ${wall.toFixed(1)} | ${failed} |`;
}

const db = await startBenchDatabase();
const client = await new MongoClient(db.uri).connect();
try {
  const pid = serverPid();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${db.description}; ${OPS} operations per row, 10 at a time\n`);
  for (const size of SIZES) {
    const c: Collection<Doc> = client.db('write_costs').collection(`size_${size}`);
    for (let k = 0; k < size; k += 500) await c.insertMany(Array.from({ length: Math.min(500, size - k) }, (_, j) => message(k + j)));
    out(`Collection of ${size} documents:\n\n| operation | server CPU ms/op | wall ms/op | failed |\n|---|---:|---:|---:|`);
    const last = (i: number) => `m_${size - 1 - (i % size)}`; // recent mail sits at the end of the table
    out(await measure(pid, 'insertOne, new _id', (i) => c.insertOne({ ...message(i), _id: `n_${i}` })));
    out(await measure(pid, 'insertOne, _id taken (duplicate key)', (i) => c.insertOne(message(size - 1 - (i % size)))));
    out(await measure(pid, 'findOne by _id, a recent document', (i) => c.findOne({ _id: last(i) })));
    out(await measure(pid, 'findOne by _id, no such document', (i) => c.findOne({ _id: `none_${i}` })));
    out(await measure(pid, 'updateOne by _id, upsert creating it', (i) => c.updateOne({ _id: `u_${i}` }, { $setOnInsert: { complete: false } }, { upsert: true })));
    out(await measure(pid, 'updateOne by _id, nothing changes', (i) => c.updateOne({ _id: last(i) }, { $set: { complete: false } })));
    out(await measure(pid, 'updateOne by _id, $set changes it', (i) => c.updateOne({ _id: last(i) }, { $set: { complete: i } })));
    out(await measure(pid, 'findOneAndUpdate by _id, $inc', (i) => c.findOneAndUpdate({ _id: last(i) }, { $inc: { n: 1 } } as unknown as UpdateFilter<Doc>)));
    out(await measure(pid, 'deleteOne by _id', (i) => c.deleteOne({ _id: last(i) })));
    out('');
  }
} finally {
  await client.close();
  await db.stop();
}
