/**
 * Runs tasks one at a time per key (a conversation) within this process, so a conversation's lines
 * are numbered and sent in the order their acks go out. With Redis, shared-lock.ts extends this to
 * every process; without it the unique line ids still keep numbers distinct.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    return result;
  }
}
