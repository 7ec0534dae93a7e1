// How a node thread ends when something fails: in order. A worker thread
// that dies of an uncaught error is torn down at once, while LMDB may still
// run commits it queued; those then run on freed memory and take the whole
// process down with it. So a failing thread reports why, closes what it
// opened (newest first, as a stack unwinds), and only then exits. A close
// that never settles cannot keep the thread alive past a bound.

/** How long closing may take before the thread exits anyway. Below the supervisor's terminate bound (worker-slot.ts). */
export const ORDERLY_DEATH_TIMEOUT_MS = 3000;

export type Closer = () => unknown;

export interface OrderlyDeathOptions {
  readonly exit?: (code: number) => void;
  readonly timeoutMs?: number;
}

export class OrderlyDeath {
  private readonly closers: Closer[] = [];
  private closing: Promise<void> | null = null;
  private dying = false;
  private readonly exit: (code: number) => void;
  private readonly timeoutMs: number;

  constructor(
    private readonly report: (message: string) => void,
    options: OrderlyDeathOptions = {},
  ) {
    this.exit = options.exit ?? ((code) => process.exit(code));
    this.timeoutMs = options.timeoutMs ?? ORDERLY_DEATH_TIMEOUT_MS;
  }

  /** Something to close before the thread ends: registered as it is opened. */
  onDeath(close: Closer): void {
    this.closers.push(close);
  }

  /** The first failure is reported, everything is closed, the thread exits with code 1; later ones add nothing. */
  die(error: unknown): void {
    if (this.dying) return;
    this.dying = true;
    this.report(error instanceof Error ? error.message : String(error));
    const bound = setTimeout(() => this.exit(1), this.timeoutMs);
    void this.closeAll().finally(() => {
      clearTimeout(bound);
      this.exit(1);
    });
  }

  /** Close everything once, newest first; one failing close does not keep the others open. */
  closeAll(): Promise<void> {
    this.closing ??= (async () => {
      for (const close of [...this.closers].reverse()) {
        await Promise.resolve()
          .then(close)
          .catch(() => undefined);
      }
    })();
    return this.closing;
  }
}
