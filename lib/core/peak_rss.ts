/**
 * Peak resident memory of this process (Linux `VmHWM`), for summaries and benchmarks.
 *
 * @module
 */

/**
 * Peak resident set size in MiB (falls back to the current RSS where /proc is missing).
 *
 * @example
 * ```ts
 * console.log(`${peakRssMiB().toFixed(0)} MiB`);
 * ```
 */
export function peakRssMiB(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {
    // Not Linux.
  }
  return Deno.memoryUsage().rss / 1024 / 1024;
}
