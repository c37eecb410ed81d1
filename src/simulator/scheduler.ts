// State changes due later (BUILD -> ACTIVE, powering-off -> SHUTOFF, image queued -> active).
// They are applied lazily, at the start of the next request whose clock has passed their time,
// instead of with timers: nothing keeps the process alive, close() has nothing to cancel, and a
// request sees exactly the state its arrival time implies.

interface Job {
  at: number;
  order: number;
  run: (at: number) => void;
}

export class Scheduler {
  private jobs: Job[] = [];
  private order = 0;

  /** Runs `run(at)` once the clock reaches `at`; jobs due at the same time run in the order scheduled. */
  schedule(at: number, run: (at: number) => void): void {
    const job = { at, order: this.order++, run };
    let i = this.jobs.length;
    while (i > 0 && this.jobs[i - 1]!.at > at) i--;
    this.jobs.splice(i, 0, job);
  }

  runDue(now: number): void {
    while (this.jobs.length > 0 && this.jobs[0]!.at <= now) {
      const job = this.jobs.shift()!;
      job.run(job.at);
    }
  }

  clear(): void {
    this.jobs = [];
  }

  get pending(): number {
    return this.jobs.length;
  }
}
