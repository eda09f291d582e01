/**
 * The time-ordered hold-out split: train on the titles added to the catalogue up to a year, test
 * on the titles added after it. It asks how well a model does on titles it could not have seen —
 * next year's — where the study's random split mixes the years.
 *
 * `date_added` is read as NetFlix.csv writes it (`14-Aug-20`; `August 14, 2020` is accepted too).
 * Titles without a readable date go to the training side: nothing says they are new.
 *
 * @module
 */

import { parseDateAdded } from "../data/title_fields.ts";

/** Options for {@linkcode temporalSplit}. */
export interface TemporalSplitOptions {
  /** Last year whose titles are trained on (default 2019: train ≤ 2019, test 2020 onwards). */
  lastTrainYear?: number;
}

/** Rows of each side of a {@linkcode temporalSplit}, ascending. */
export interface TemporalSplit {
  /** Titles added up to `lastTrainYear`, and those without a readable date. */
  train: Int32Array;
  /** Titles added after `lastTrainYear`. */
  test: Int32Array;
  /** How many training rows have no readable date. */
  undated: number;
}

/** The default last training year of the project's temporal split. */
export const LAST_TRAIN_YEAR = 2019;

/**
 * Splits rows by the year their title was added.
 *
 * @example
 * ```ts
 * const { train, test } = temporalSplit(["14-Aug-20", "1-Jan-19", "", "9-Sep-21"]);
 * // train: [1, 2] (2019 and undated), test: [0, 3]
 * ```
 */
export function temporalSplit(
  dateAdded: readonly string[],
  options: TemporalSplitOptions = {},
): TemporalSplit {
  const last = options.lastTrainYear ?? LAST_TRAIN_YEAR;
  if (!Number.isInteger(last)) {
    throw new RangeError(`temporalSplit: lastTrainYear must be a whole year, got ${last}`);
  }
  const train: number[] = [];
  const test: number[] = [];
  let undated = 0;
  for (let i = 0; i < dateAdded.length; i++) {
    const added = parseDateAdded(dateAdded[i] ?? "");
    if (Number.isNaN(added)) {
      undated++;
      train.push(i);
    } else if (Math.floor(added) <= last) train.push(i);
    else test.push(i);
  }
  return { train: Int32Array.from(train), test: Int32Array.from(test), undated };
}
