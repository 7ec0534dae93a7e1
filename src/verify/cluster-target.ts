// What a campaign runs against: nodes it can reach over HTTP and, for a
// cluster it launched itself, the processes behind them.

export interface ProcessControl {
  /** SIGKILL, then wait for the exit (SIGKILL works on a stopped process too). */
  kill(id: string): Promise<void>;
  /** Spawn the node again with its original arguments and wait until it answers /status. */
  start(id: string): Promise<void>;
  /** SIGSTOP: the process keeps its sockets open and answers nothing. */
  pause(id: string): void;
  /** SIGCONT. */
  resume(id: string): void;
  isRunning(id: string): boolean;
  /** The node's LMDB directory, to be opened only while its process is down. */
  dataDirOf(id: string): string;
  /** Processes that exited without being killed by the campaign: each one is a finding. */
  unexpectedExits(): UnexpectedExit[];
}

export interface UnexpectedExit {
  readonly id: string;
  /** performance.now() when the exit was seen. */
  readonly atMs: number;
  /** "code 1" or "signal SIGABRT". */
  readonly how: string;
  readonly logFile: string;
}

export interface ClusterTarget {
  /** For the report: "3 local nodes (quorum)" or the endpoints. */
  readonly description: string;
  readonly nodeIds: readonly string[];
  /** Every node's HTTP base URL. */
  urlOf(id: string): string;
  /** Where clients send their requests. */
  readonly endpoints: readonly string[];
  /** Sent with every request when the nodes check tokens (--token, REPLIKIT_TOKEN); a launched cluster has none. */
  readonly token?: string;
  /** Null for a cluster reached through --endpoints: only network and admin faults then. */
  readonly processes: ProcessControl | null;
  /** The nodes' own logs, to be copied into the report (empty for --endpoints). */
  readonly logFiles: Readonly<Record<string, string>>;
  /** Stops everything this campaign started; idempotent. */
  close(): Promise<void>;
}
