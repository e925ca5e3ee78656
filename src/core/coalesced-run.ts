/**
 * Runs a task so that at most one run is in flight, and any number of requests made meanwhile
 * cause exactly one more run after it (the outbox pass, the IMAP drain). The task handles its
 * own errors; `after` hears whether another run follows.
 */
export class CoalescedRun {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly task: () => Promise<void>, private readonly after?: (rerun: boolean) => void) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.task().finally(() => {
      this.running = undefined;
      const rerun = this.again;
      this.again = false;
      if (rerun) this.request();
      this.after?.(rerun);
    });
  }

  /** Resolves once no run is in flight (including one that was requested meanwhile). */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => {});
  }
}
