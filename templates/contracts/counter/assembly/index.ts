// Counter: the smallest useful contract. `increment` adds `by` (default 1) and returns the new
// value; `get` returns the current value.
import {args, emit, object, require, returnInt, storage} from "sdk";

const KEY = "count";
const STEP_MAX: i64 = 1000000;

export function increment(): void {
  const by = args().getIntOr("by", 1);
  require(by > 0 && by <= STEP_MAX, "by must be between 1 and 1000000");
  const value = storage.getInt(KEY, 0) + by;
  storage.setInt(KEY, value);
  emit("Incremented", object().int("by", by).int("value", value).toString());
  returnInt(value);
}

export function get(): void {
  returnInt(storage.getInt(KEY, 0));
}
