/**
 * The train stage before issue 20's redesign (one estimator spec, one worker pool, one owner of
 * processed_data/) and now, measured in the same run: the code of the last commit before it is
 * checked out beside this one (`git worktree`), each code builds LSA features from the same CSV,
 * and the same training — the study's logistic regression and random forest, 5-fold CV
 * thresholds, final fit, test scores, random split — runs as a whole `deno run` process, the two
 * codes taking turns. Prints wall time, CPU time and peak memory of each (CPU and memory from
 * `/usr/bin/time` when it is installed), the after / before ratio pair by pair (target: wall time
 * ≤ 1.05×), and whether both made the same scores and thresholds.
 *
 * Needs a clone with the history (`git clone`, not `--depth 1`); without it the bench says so and
 * measures nothing.
 *
 * Usage: deno run -A bench/train_redesign_bench.ts [CSV] [--pairs 3] [--sample 3000]
 * [--models study_lr,study_rf]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { PROJECT_ROOT } from "../lib/io/project_paths.ts";

/** The last commit before the redesign (issue 19's fix; the redesign starts after it). */
const BEFORE = "e5ce829";

/** One timed process. */
interface Timing {
  wall: number;
  cpu?: number;
  peakMiB?: number;
}

async function git(args: string[]): Promise<{ ok: boolean; text: string }> {
  const out = await new Deno.Command("git", {
    args,
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
  })
    .output().catch(() => null);
  if (!out) return { ok: false, text: "git is not installed" };
  const text = new TextDecoder().decode(out.success ? out.stdout : out.stderr).trim();
  return { ok: out.success, text };
}

async function hasTime(): Promise<boolean> {
  try {
    return (await Deno.stat("/usr/bin/time")).isFile;
  } catch {
    return false;
  }
}

/** Runs `deno run -A ARGS` in `cwd`, timed; throws with its output when it fails. */
async function timed(cwd: string, args: string[], withTime: boolean): Promise<Timing> {
  const deno = Deno.execPath();
  const cmd = withTime
    ? new Deno.Command("/usr/bin/time", {
      args: ["-f", "TIME %e %U %S %M", deno, "run", "-A", ...args],
      cwd,
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command(deno, {
      args: ["run", "-A", ...args],
      cwd,
      stdout: "piped",
      stderr: "piped",
    });
  const t0 = performance.now();
  const out = await cmd.output();
  const wall = (performance.now() - t0) / 1000;
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success) {
    throw new Error(
      `${args.join(" ")} failed in ${cwd}:\n${new TextDecoder().decode(out.stdout)}\n${err}`,
    );
  }
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
  return m ? { wall, cpu: Number(m[2]) + Number(m[3]), peakMiB: Number(m[4]) / 1024 } : { wall };
}

/** The scores and thresholds of each model in a metrics.json (timings left out). */
async function scores(dir: string, models: string[]): Promise<string> {
  const m = JSON.parse(await Deno.readTextFile(join(dir, "metrics.json")));
  return JSON.stringify(models.map((name) => {
    const e = m.models[name];
    return [name, e.f1_macro, e.f1_micro, e.exact_match, e.thresholds, e.per_genre];
  }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function ratioLine(before: number[], after: number[]): string {
  const r = after.map((a, i) => a / before[i]);
  return `${median(r).toFixed(3)} (${Math.min(...r).toFixed(3)}–${Math.max(...r).toFixed(3)})`;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      pairs: { type: "string", default: "3" },
      sample: { type: "string", default: "3000" },
      models: { type: "string", default: "study_lr,study_rf" },
    },
  });
  const csv = positionals[0] ?? Deno.env.get("NETFLIX_CSV") ?? "data/NetFlix.csv";
  const pairs = Number(values.pairs);
  const models = values.models!.split(",");
  const commit = await git(["rev-parse", "--verify", "--quiet", `${BEFORE}^{commit}`]);
  if (!commit.ok) {
    console.log(
      `skipped: commit ${BEFORE} (the code before the redesign) is not in this clone; a full ` +
        "`git clone` (not --depth 1) has it",
    );
    Deno.exit(0);
  }
  const withTime = await hasTime();
  const tmp = await Deno.makeTempDir({ prefix: "train-redesign-bench-" });
  const beforeDir = join(tmp, "before");
  try {
    const added = await git(["worktree", "add", "--detach", beforeDir, BEFORE]);
    if (!added.ok) throw new Error(`git worktree add failed: ${added.text}`);
    await Deno.symlink(join(PROJECT_ROOT, "node_modules"), join(beforeDir, "node_modules"));
    const codes = { before: beforeDir, after: PROJECT_ROOT };
    const data = { before: join(tmp, "pd_before"), after: join(tmp, "pd_after") };
    console.log(
      `The train stage before the redesign (${BEFORE}) and now, ${pairs} pairs taking turns: ` +
        `${models.join(" + ")} on ${values.sample} titles (LSA features), random split, as ` +
        "whole processes",
    );
    for (const side of ["before", "after"] as const) {
      await timed(codes[side], [
        "scripts/preprocess.ts",
        "--embedder",
        "lsa",
        "--input",
        csv,
        "--sample",
        values.sample!,
        "--out",
        data[side],
      ], false);
    }
    const train = (side: "before" | "after") =>
      timed(codes[side], [
        "scripts/train.ts",
        "--dir",
        data[side],
        "--models",
        models.join(","),
        "--splits",
        "random",
        "--no-ablation",
        "--force",
      ], withTime);
    // One run each to warm the caches, then the pairs, the first of each pair alternating.
    await train("before");
    await train("after");
    const runs: Record<"before" | "after", Timing[]> = { before: [], after: [] };
    for (let i = 0; i < pairs; i++) {
      const order = i % 2 === 0 ? (["before", "after"] as const) : (["after", "before"] as const);
      for (const side of order) runs[side].push(await train(side));
      console.log(
        `  pair ${i + 1}: before ${runs.before[i].wall.toFixed(1)} s, after ${
          runs.after[i].wall.toFixed(1)
        } s`,
      );
    }
    const same = (await scores(data.before, models)) === (await scores(data.after, models));
    const pick = (side: "before" | "after", k: keyof Timing) =>
      runs[side].map((t) => t[k]).filter((x): x is number => x !== undefined);
    console.log(
      `  wall s, median: before ${median(pick("before", "wall")).toFixed(1)}, after ${
        median(pick("after", "wall")).toFixed(1)
      }; after / before, pair by pair: ${
        ratioLine(pick("before", "wall"), pick("after", "wall"))
      }` +
        " (target ≤ 1.05)",
    );
    if (withTime) {
      console.log(
        `  CPU s, median: before ${median(pick("before", "cpu")).toFixed(1)}, after ${
          median(pick("after", "cpu")).toFixed(1)
        }; after / before: ${ratioLine(pick("before", "cpu"), pick("after", "cpu"))}`,
      );
      console.log(
        `  peak MiB, median: before ${median(pick("before", "peakMiB")).toFixed(0)}, ` +
          `after ${median(pick("after", "peakMiB")).toFixed(0)}`,
      );
    } else {
      console.log("  (CPU time and peak memory need /usr/bin/time: apt-get install time)");
    }
    console.log(
      same
        ? "  same scores, thresholds and per-genre F1 before and after"
        : "  DIFFERENT scores before and after: the redesign changed a result",
    );
    if (!same) Deno.exitCode = 1;
  } finally {
    await git(["worktree", "remove", "--force", beforeDir]);
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}
