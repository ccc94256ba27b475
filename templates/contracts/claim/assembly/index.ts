// Work-injury claim lifecycle (工伤理赔), a state machine with guarded transitions:
//   filed ──determine{injury:true}──▶ determined ──assess{grade}──▶ assessed ──pay{amountFen}──▶ paid
//     └────determine{injury:false}──▶ rejected
// `paid` and `rejected` are final. Every other transition aborts the call.
// file {id, worker}  determine {id, injury}  assess {id, grade 1..10}  pay {id, amountFen}  get {id}
import {args, blockHeight, caller, emit, JsonObject, object, quote, require, returnJson, returnNull,
  storage} from "sdk";

const ID_CHARS_MAX = 64;
const AMOUNT_FEN_MAX: i64 = 100000000000; // 10^9 yuan: far above any claim

function slot(id: string): string { return "claim:" + id; }

function load(id: string): JsonObject {
  const text = storage.get(slot(id));
  require(text != null, "no claim " + quote(id));
  return JsonObject.parse(text!);
}

function stateOf(claim: JsonObject): string { return claim.getString("state"); }

/** Refuse any transition except `from` → `to`. */
function transition(claim: JsonObject, from: string, to: string): void {
  const state = stateOf(claim);
  require(state == from, "illegal transition: " + state + " -> " + to);
}

/** Rewrite the record with a new state and extra fields, emit the change and return it. */
function save(claim: JsonObject, state: string, extraKey: string, extraJson: string): void {
  const id = claim.getString("id");
  const writer = object().str("id", id).str("worker", claim.getString("worker")).str("state", state);
  for (let i = 0; i < claim.keys.length; i++) {
    const key = claim.keys[i];
    if (key == "id" || key == "worker" || key == "state" || key == "updatedBy" || key == "updatedAt" || key == extraKey) continue;
    writer.raw(key, claim.raws[i]);
  }
  if (extraKey.length > 0) writer.raw(extraKey, extraJson);
  const record = writer.str("updatedBy", caller()).int("updatedAt", blockHeight()).toString();
  storage.set(slot(id), record);
  emit("ClaimChanged", object().str("id", id).str("state", state).toString());
  returnJson(record);
}

export function file(): void {
  const input = args();
  const id = input.getString("id");
  require(id.length > 0 && id.length <= ID_CHARS_MAX, "id must be 1 to 64 characters");
  require(!storage.has(slot(id)), "claim " + quote(id) + " already exists");
  const worker = input.getString("worker");
  require(worker.length > 0, "worker is required (a pseudonymous id, never a name)");
  const fresh = JsonObject.parse(object().str("id", id).str("worker", worker).str("filedBy", caller()).toString());
  save(fresh, "filed", "", "");
}

export function determine(): void {
  const input = args();
  const claim = load(input.getString("id"));
  const injury = input.getBool("injury");
  const next = injury ? "determined" : "rejected";
  transition(claim, "filed", next);
  save(claim, next, "injury", injury ? "true" : "false");
}

export function assess(): void {
  const input = args();
  const claim = load(input.getString("id"));
  const grade = input.getInt("grade");
  transition(claim, "determined", "assessed");
  require(grade >= 1 && grade <= 10, "grade must be 1 to 10");
  save(claim, "assessed", "grade", grade.toString());
}

export function pay(): void {
  const input = args();
  const claim = load(input.getString("id"));
  const amount = input.getInt("amountFen");
  transition(claim, "assessed", "paid");
  require(amount > 0 && amount <= AMOUNT_FEN_MAX, "amountFen must be a positive number of fen");
  save(claim, "paid", "amountFen", amount.toString());
}

export function get(): void {
  const record = storage.get(slot(args().getString("id")));
  if (record == null) returnNull();
  else returnJson(record);
}
