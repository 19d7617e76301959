// The messages between the probe worker and its parent (JSON over the fork IPC channel).

import type { BackendName } from './backendChoice';
import type { ProbeProgress, ProbeRequest, ProbeRun } from './types';

export interface WorkerRequestMessage {
  readonly type: 'run';
  readonly request: ProbeRequest;
}

export type WorkerMessage =
  | { readonly type: 'backend'; readonly backend: BackendName; readonly reason: string }
  | { readonly type: 'progress'; readonly progress: ProbeProgress }
  | { readonly type: 'result'; readonly run: ProbeRun }
  | { readonly type: 'error'; readonly message: string; readonly op?: string; readonly line?: number };
