/**
 * The pipe's baseline as a process of its own, started like `helpdesk pipe` (node + tsx): read one
 * mail on stdin, parse it with mailparser, insertOne it, exit 0.
 * Usage: node --import tsx bench/scenarios/pipe-baseline.ts <mongodb-uri> <db-name> < mail
 */
import mongoose from 'mongoose';
import { parseAndInsert } from './email-baseline.ts';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const client = await new mongoose.mongo.MongoClient(process.argv[2]!).connect();
await parseAndInsert(client.db(process.argv[3]!), Buffer.concat(chunks));
await client.close();
