// Waiting on a condition, never on the clock: polls `condition` until it returns a truthy value (which is
// returned) or `timeout` ms pass, then fails with a message naming what was awaited. A condition that knows the
// wait is hopeless (the server died) throws a GiveUp to fail at once; any other error counts as "not yet".
export class GiveUp extends Error {}

export async function waitFor(condition, { timeout = 30_000, interval = 250, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
