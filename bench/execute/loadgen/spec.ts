/** What one load is, as the engines receive it (index.ts, native.ts): a workload's load, aimed at a port. */
import type { ServerLoad } from '../../define/load.ts';

export interface LoadSpec extends ServerLoad {
  port: number;
  /** the CPUs the generator is pinned to, e.g. "3" (taskset's list form); unpinned without */
  cpus?: string;
  signal?: AbortSignal;
}

/** Called at the edges of the measurement window, e.g. to read the server's CPU and memory. */
export interface WindowHooks {
  started?(): void;
  ending?(): void;
  /**
   * After the window, while every connection is still open: the moment to stop a server. Ten
   * thousand clients leaving at once make a thread-per-connection server's threads wake together
   * and queue for the GIL, and its main thread then takes a minute to get to SIGTERM.
   */
  beforeClose?(): Promise<void>;
}
