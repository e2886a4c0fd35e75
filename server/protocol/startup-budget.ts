// Sockets that have connected but whose first packet is not handled yet are counted apart from sessions, in a
// budget of their own: otherwise clients that open sockets and never speak would take every slot (PostgreSQL's
// authentication_timeout alone lets them hold it for a minute). When the budget is full, the oldest pending socket
// is closed early if it has had PRESSURE_GRACE_MS to speak; if even the oldest is younger (a storm of real clients),
// the newcomer is refused instead, with the 53300 every client is owed.

export const PRESSURE_GRACE_MS = 1000;

export interface StartupSlot {
  /** Gives the slot back; the socket's first packet is handled (or it closed). Calling it again does nothing. */
  release(): void;
}

interface Pending {
  readonly since: number;
  readonly evict: () => void;
}

export class StartupBudget {
  /** In arrival order: the first entry is the oldest. */
  private readonly pending = new Set<Pending>();

  constructor(
    private readonly limit: number,
    private readonly graceMs: number = PRESSURE_GRACE_MS,
  ) {}

  get count(): number {
    return this.pending.size;
  }

  /** A slot for a new socket, or null when it must be refused; `evict` closes it should it later be pushed out. */
  enter(evict: () => void, now: number = Date.now()): StartupSlot | null {
    if (this.pending.size >= this.limit && !this.evictOldest(now)) return null;
    const entry: Pending = { since: now, evict };
    this.pending.add(entry);
    return { release: () => this.pending.delete(entry) };
  }

  private evictOldest(now: number): boolean {
    const oldest = this.pending.values().next().value;
    if (oldest === undefined || now - oldest.since < this.graceMs) return false;
    this.pending.delete(oldest);
    oldest.evict();
    return true;
  }
}
