// Runs probes in a child process: forks the worker, enforces a time limit and a memory limit (the V8 heap through
// --max-old-space-size, and on Linux the whole process's resident memory, since tensors live in typed arrays and
// WASM memory outside the V8 heap), cancels by killing the process (which really stops training, wherever it is), and
// turns a crash, an out-of-memory or a build error into a ProbeWorkerError with a clear message.

import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeRunHeader } from './runProbes';
import type { ProbeProgress, ProbeRequest, ProbeResult, ProbeRun } from './types';
import type { WorkerMessage, WorkerRequestMessage } from './workerProtocol';

export type ProbeFailureKind = 'timeout' | 'cancelled' | 'crashed' | 'out-of-memory' | 'failed';

export class ProbeWorkerError extends Error {
  constructor(
    readonly kind: ProbeFailureKind,
    message: string,
    /** For build errors: the op and the 1-based line the probe could not build. */
    readonly op?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ProbeWorkerError';
  }
}

export interface WorkerOptions {
  /** Wall-clock limit for the whole run, in milliseconds (default 120 000). */
  readonly timeoutMs?: number;
  /** The worker's memory limit in MB (default 2048): its V8 heap, and on Linux its resident memory. */
  readonly maxMemoryMb?: number;
  /** Aborting kills the worker. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ProbeProgress) => void;
  /** Each probe's verdict as soon as the worker has it, with the run's header (model, backend, notes). */
  readonly onResult?: (result: ProbeResult, header: ProbeRunHeader) => void;
  /** Overrides the worker entry (tests). */
  readonly workerPath?: string;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_MEMORY_MB = 2048;

/** The worker entry beside this file: the bundle's dist/probeWorker.js, or worker.ts run through tsx from source. */
export function workerEntry(): { path: string; execArgv: string[] } {
  if (__filename.endsWith('.ts')) return { path: join(__dirname, 'worker.ts'), execArgv: ['--require', require.resolve('tsx/cjs')] };
  const bundled = join(__dirname, 'probeWorker.js');
  if (existsSync(bundled)) return { path: bundled, execArgv: [] };
  return { path: join(__dirname, 'worker.js'), execArgv: [] };
}

/** A process's resident memory in MB, from /proc on Linux; undefined elsewhere. */
function residentMb(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function runProbesInWorker(request: ProbeRequest, options: WorkerOptions = {}): Promise<ProbeRun> {
  const entry = options.workerPath ? { path: options.workerPath, execArgv: options.workerPath.endsWith('.ts') ? ['--require', require.resolve('tsx/cjs')] : [] } : workerEntry();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const memory = options.maxMemoryMb ?? DEFAULT_MAX_MEMORY_MB;
  return new Promise<ProbeRun>((resolve, reject) => {
    if (options.signal?.aborted) return reject(new ProbeWorkerError('cancelled', 'the probe run was cancelled before it started'));
    let child: ChildProcess;
    try {
      child = fork(entry.path, [], {
        execArgv: [...entry.execArgv, `--max-old-space-size=${memory}`],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'json',
      });
    } catch (error) {
      return reject(new ProbeWorkerError('crashed', `the probe worker could not start: ${error instanceof Error ? error.message : String(error)}`));
    }
    let settled = false;
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const finish = (error: ProbeWorkerError | undefined, run?: ProbeRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      options.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(run!);
    };
    const timer = setTimeout(() => finish(new ProbeWorkerError('timeout', `the probes did not finish within ${Math.round(timeoutMs / 1000)} s and were stopped (raise the limit, lower --steps, or scale widths down)`)), timeoutMs);
    const onAbort = () => finish(new ProbeWorkerError('cancelled', 'the probe run was cancelled'));
    const watchdog = setInterval(() => {
      const rss = residentMb(child.pid);
      if (rss !== undefined && rss > memory) finish(new ProbeWorkerError('out-of-memory', `the probe worker used ${Math.round(rss)} MB, over its limit of ${memory} MB, and was stopped; scale widths down or raise the limit`));
    }, 200);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.progress);
      else if (message.type === 'backend') options.onProgress?.({ probe: request.probes[0] ?? 'nonlinearity', message: `backend ${message.backend}: ${message.reason}` });
      else if (message.type === 'probe-result') options.onResult?.(message.result, message.header);
      else if (message.type === 'result') finish(undefined, message.run);
      else if (message.type === 'error') finish(new ProbeWorkerError('failed', message.message, message.op, message.line));
    });
    child.on('error', (error) => finish(new ProbeWorkerError('crashed', `the probe worker failed: ${error.message}`)));
    child.on('exit', (code, signal) => {
      if (settled) return;
      if (/heap out of memory|Allocation failed/i.test(stderr)) {
        finish(new ProbeWorkerError('out-of-memory', `the probe worker ran out of memory (limit ${memory} MB); scale widths down or raise the limit`));
        return;
      }
      const last = stderr.trim().split('\n').filter((l) => l.trim()).slice(-3).join(' | ');
      finish(new ProbeWorkerError('crashed', `the probe worker crashed (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}`));
    });
    const message: WorkerRequestMessage = { type: 'run', request };
    child.send(message);
  });
}
