/**
 * A progress bar that draws in place: a live display in the Jupyter kernel, a `\r`-updated line on
 * a terminal, and a few plain lines when output goes to a file or CI log.
 *
 * @module
 */

import { escapeHtml } from "./escape_html.ts";
import { display, inJupyter } from "./kernel_display.ts";

/** Options for {@linkcode ProgressBar}. */
export interface ProgressOptions {
  /** Suppress all output (tests, nested loops). */
  silent?: boolean;
  /** Minimum milliseconds between redraws (default 200). */
  intervalMs?: number;
}

/**
 * Reports progress of a long loop.
 *
 * @example
 * ```ts
 * const bar = new ProgressBar("embedding", 100);
 * for (let i = 0; i < 100; i++) bar.tick();
 * bar.done();
 * ```
 */
export class ProgressBar {
  #label: string;
  #total: number;
  #done = 0;
  #start = performance.now();
  #last = -Infinity;
  #lastLogged = -1;
  #silent: boolean;
  #interval: number;
  #mode: "jupyter" | "tty" | "log";
  #id = `progress-${crypto.randomUUID()}`;
  #shown = false;
  #pending: Promise<unknown> = Promise.resolve();

  constructor(label: string, total: number, options: ProgressOptions = {}) {
    this.#label = label;
    this.#total = Math.max(0, total);
    this.#silent = options.silent ?? false;
    this.#interval = options.intervalMs ?? 200;
    this.#mode = inJupyter() ? "jupyter" : Deno.stderr.isTerminal() ? "tty" : "log";
    this.#draw(true);
  }

  /** Units completed so far. */
  get value(): number {
    return this.#done;
  }

  /** Advances by `n` units (default 1). */
  tick(n = 1): void {
    this.#done = Math.min(this.#total, this.#done + n);
    this.#draw(false);
  }

  /** Sets the number of completed units (e.g. when resuming from a checkpoint). */
  update(done: number): void {
    this.#done = Math.min(this.#total, Math.max(0, done));
    this.#draw(false);
  }

  /** Marks the loop finished and draws the final state. */
  done(message?: string): void {
    this.#done = this.#total;
    this.#draw(true, message);
    if (!this.#silent && this.#mode === "tty") {
      Deno.stderr.writeSync(new TextEncoder().encode("\n"));
    }
  }

  /** Resolves once every pending notebook redraw has been sent. */
  flush(): Promise<unknown> {
    return this.#pending;
  }

  #text(message?: string): string {
    const frac = this.#total === 0 ? 1 : this.#done / this.#total;
    const width = 30;
    const filled = Math.round(frac * width);
    const secs = (performance.now() - this.#start) / 1000;
    const eta = frac > 0 && frac < 1 ? ` eta ${(secs / frac - secs).toFixed(0)}s` : "";
    return `${this.#label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ` +
      `${this.#done}/${this.#total} ${(frac * 100).toFixed(0)}% ${secs.toFixed(1)}s${eta}` +
      (message ? ` — ${message}` : "");
  }

  #draw(force: boolean, message?: string): void {
    if (this.#silent) return;
    const now = performance.now();
    if (!force && now - this.#last < this.#interval) return;
    this.#last = now;
    const text = this.#text(message);
    if (this.#mode === "jupyter") {
      const frac = this.#total === 0 ? 1 : this.#done / this.#total;
      const html = `<div style="font-family:monospace">${escapeHtml(this.#label)} ` +
        `<progress value="${frac.toFixed(4)}" max="1" style="width:240px"></progress> ` +
        `${escapeHtml(text.slice(this.#label.length + 1))}</div>`;
      const update = this.#shown;
      this.#shown = true;
      this.#pending = this.#pending.then(() =>
        display({ "text/plain": text, "text/html": html }, { displayId: this.#id, update })
      );
    } else if (this.#mode === "tty") {
      Deno.stderr.writeSync(new TextEncoder().encode(`\r${text}\x1b[K`));
    } else {
      // Plain logs: print at most every 10% to keep CI output short.
      const decile = this.#total === 0 ? 10 : Math.floor((this.#done / this.#total) * 10);
      if (force || decile > this.#lastLogged) {
        this.#lastLogged = decile;
        console.error(text);
      }
    }
  }
}
