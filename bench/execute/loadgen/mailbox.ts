/**
 * What a load generator's helper (a worker thread, the native engine's process) says, in order,
 * each message tagged by its field `key`; its crash, its end or an abort fails what is awaited.
 */
export class Mailbox<M extends Record<K, string>, K extends keyof M> {
  private readonly queue: M[] = [];
  private failure: Error | undefined;
  private wake = () => {};
  private readonly who: string;
  private readonly key: K;

  constructor(who: string, key: K) {
    this.who = who;
    this.key = key;
  }

  put(message: M): void {
    this.queue.push(message);
    this.wake();
  }

  /** The first failure stands: later ones are its consequences. */
  fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  /** Ends every wait on an abort (Ctrl+C), and stops listening to it once `ended` resolves. */
  abortOn(signal: AbortSignal | undefined, ended: Promise<unknown>, then: () => void = () => {}): void {
    const onAbort = () => {
      this.fail(new Error('interrupted'));
      then();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    void ended.then(() => signal?.removeEventListener('abort', onAbort));
  }

  async expect<T extends M[K]>(tag: T): Promise<Extract<M, Record<K, T>>> {
    while (this.queue.length === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const message = this.queue.shift()!;
    if (message[this.key] !== tag) throw new Error(`${this.who} said ${message[this.key]}, not ${tag}`);
    return message as Extract<M, Record<K, T>>;
  }
}
