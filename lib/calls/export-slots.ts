/**
 * Who is exporting right now on this instance: one export per signed-in user, and at most `limit`
 * in all. Each running export holds a worker thread, a store connection and a share of the CPU that
 * acknowledges callbacks, so sixteen users must not run sixteen at once any more than one user.
 *
 * Kept in memory, per instance: a user behind a balancer might run one export on each of two
 * instances, which costs each instance one export, the load it is sized for; what this guards
 * against is one instance's event loop starved by exports, not a global quota.
 */
export type ExportSlot = { release(): void };
export type ExportRefusal = { refused: 'user' | 'instance' };

export class ExportSlots {
  private readonly users = new Set<string>();

  constructor(private readonly limit: number) {}

  get running(): number {
    return this.users.size;
  }

  take(userId: string): ExportSlot | ExportRefusal {
    if (this.users.has(userId)) return { refused: 'user' };
    if (this.users.size >= this.limit) return { refused: 'instance' };
    this.users.add(userId);
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.users.delete(userId);
      },
    };
  }
}
