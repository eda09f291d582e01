import assert from "node:assert/strict";
import { temporalSplit } from "../lib/model_selection/temporal_split.ts";

Deno.test("temporalSplit: titles added through the last year and undated ones train", () => {
  const dates = ["14-Aug-20", "31-Dec-19", "", "1-Jan-21", "garbage", "5-Mar-08", "1-Jan-20"];
  const s = temporalSplit(dates);
  assert.deepEqual([...s.train], [1, 2, 4, 5]);
  assert.deepEqual([...s.test], [0, 3, 6]);
  assert.equal(s.undated, 2);
});

Deno.test("temporalSplit: the last training year is an option, and must be a whole year", () => {
  const dates = ["1-Jun-18", "1-Jun-19", "August 14, 2020"];
  assert.deepEqual([...temporalSplit(dates, { lastTrainYear: 2018 }).test], [1, 2]);
  assert.deepEqual([...temporalSplit(dates, { lastTrainYear: 2020 }).test], []);
  assert.throws(() => temporalSplit(dates, { lastTrainYear: 2019.5 }), /whole year/);
});
