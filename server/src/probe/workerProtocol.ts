// The messages between the probe worker and its parent (JSON over the fork IPC channel).

import type { BackendName } from './backendChoice';
import type { ProbeRunHeader } from './runProbes';
import type { ProbeProgress, ProbeRequest, ProbeResult, ProbeRun } from './types';

export interface WorkerRequestMessage {
  readonly type: 'run';
  readonly request: ProbeRequest;
}

export type WorkerMessage =
  | { readonly type: 'backend'; readonly backend: BackendName; readonly reason: string }
  | { readonly type: 'progress'; readonly progress: ProbeProgress }
  | { readonly type: 'probe-result'; readonly result: ProbeResult; readonly header: ProbeRunHeader }
  | { readonly type: 'result'; readonly run: ProbeRun }
  | { readonly type: 'error'; readonly message: string; readonly op?: string; readonly line?: number };
