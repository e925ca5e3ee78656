/**
 * The bare servers the web form and chat are measured against, each a process of its own like the
 * gateway (so its CPU and memory are its own):
 *   webform <mongodb-uri> <db>  express: POST /submit parses JSON and does one insertOne, answers 201
 *   chat                        socket.io: /chat relays `message:send` to every /agents socket and acks
 * Prints the port it listens on (loopback) as its first line.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import mongoose from 'mongoose';
import { Server } from 'socket.io';

const [mode, uri, dbName] = process.argv.slice(2);
const server = createServer();

if (mode === 'webform') {
  const client = await new mongoose.mongo.MongoClient(uri!).connect();
  const submissions = client.db(dbName).collection('bench_baseline_submissions');
  const app = express();
  app.post('/submit', express.json({ limit: '64kb' }), (req, res) => {
    submissions.insertOne({ ...req.body as object, receivedAt: new Date() }).then(
      (r) => res.status(201).json({ id: r.insertedId }),
      () => res.status(503).json({ error: 'unavailable' }),
    );
  });
  server.on('request', app);
} else if (mode === 'chat') {
  const io = new Server(server, { maxHttpBufferSize: 64 * 1024 });
  const agents = io.of('/agents');
  io.of('/chat').on('connection', (socket) => {
    let seq = 0;
    socket.on('message:send', (payload: { clientId: string; text: string }, ack: (a: unknown) => void) => {
      seq++;
      agents.emit('message', { seq, text: payload.text, author: 'visitor', at: new Date().toISOString() });
      if (typeof ack === 'function') ack({ ok: true, seq });
    });
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
