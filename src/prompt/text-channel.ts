/**
 * The pieces of an answer as they stream, for one reader: an async iterator that yields what
 * was written so far, then waits for more, and ends when the answer ends (or throws its error).
 */
export class TextChannel implements AsyncIterable<string> {
  private readonly pieces: string[] = [];
  private ended = false;
  private failure: unknown;
  private wake: (() => void) | undefined;

  write(piece: string): void {
    this.pieces.push(piece);
    this.poke();
  }

  end(failure?: unknown): void {
    this.ended = true;
    this.failure = failure;
    this.poke();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const piece = this.pieces.shift();
      if (piece !== undefined) {
        yield piece;
        continue;
      }
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
