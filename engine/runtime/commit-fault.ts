// TEST-ONLY fault injection for crash tests: kills the server at an exact point of a commit, which a kill from
// outside can only hit by luck. Set in the environment when the server starts:
//
//   SLUICE_FAULT=kill-before-commit-write:N   SIGKILL this process just before the N-th commit write is submitted
//   SLUICE_FAULT=kill-after-commit-write:N    SIGKILL it right after the N-th commit write is durable (synced)
//
// A "commit write" is a LevelDB write that commits rows into streams and tables: an explicit COMMIT's, or the one of
// an INSERT or COPY outside a transaction block (INSERTs into one stream that run at once share one write,
// stream-appends.ts). N counts them from the start of the process, from 1. Never set it in production. Unset
// (always, outside tests), the runtime holds null and a commit pays one null check.

export const FAULT_VARIABLE = 'SLUICE_FAULT';

export class CommitFault {
  private writes = 0;

  private constructor(private readonly when: 'before' | 'after', private readonly nth: number) {}

  /** The fault the environment asks for, or null; a value it cannot read stops the start, loudly. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): CommitFault | null {
    const spec = env[FAULT_VARIABLE];
    if (spec === undefined || spec === '') return null;
    const m = /^kill-(before|after)-commit-write:([1-9]\d*)$/.exec(spec);
    if (m === null) {
      throw new Error(`${FAULT_VARIABLE}=${spec} is not kill-before-commit-write:N or kill-after-commit-write:N`);
    }
    return new CommitFault(m[1] as 'before' | 'after', Number(m[2]));
  }

  /**
   * Runs one commit write. The N-th kills the process just before it is submitted, or the moment it is durable:
   * storage calls the `onDurable` it is given before it resolves anything or starts any later write.
   */
  write<R>(commitWrite: (onDurable: () => void) => Promise<R>): Promise<R> {
    const ordinal = ++this.writes;
    const fires = ordinal === this.nth;
    if (fires && this.when === 'before') this.kill();
    return commitWrite(() => {
      if (fires && this.when === 'after') this.kill();
    });
  }

  private kill(): void {
    process.kill(process.pid, 'SIGKILL');
  }
}
