/**
 * A bounded set of recent ids: the oldest is forgotten once `capacity` is reached, so a warm
 * instance's memory stays flat however many ids it sees.
 *
 * @example
 * const failed = new RecentIds(1000); failed.add(requestId); failed.has(requestId) // true
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }
}
