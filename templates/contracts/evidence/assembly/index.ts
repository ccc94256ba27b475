// Evidence (存证): store a document's SM3 hash under a key, once; anyone can read or check it.
// put {key, hash, meta?}   get {key}   verify {key, hash}
import {args, blockHeight, blockTime, caller, emit, JsonObject, isHex, object, quote, require,
  returnBool, returnJson, returnNull, storage, txHash} from "sdk";

const KEY_CHARS_MAX = 128;
const META_CHARS_MAX = 1024;

function slot(key: string): string { return "evidence:" + key; }

export function put(): void {
  const input = args();
  const key = input.getString("key");
  const hash = input.getString("hash").toLowerCase();
  const meta = input.getStringOr("meta", "");
  require(key.length > 0 && key.length <= KEY_CHARS_MAX, "key must be 1 to 128 characters");
  require(isHex(hash, 64), "hash must be 64 hex characters (SM3)");
  require(meta.length <= META_CHARS_MAX, "meta must be at most 1024 characters");
  require(!storage.has(slot(key)), "evidence already exists for key " + quote(key));
  const record = object().str("key", key).str("hash", hash).str("meta", meta).str("owner", caller())
    .int("height", blockHeight()).int("time", blockTime()).str("tx", txHash()).toString();
  storage.set(slot(key), record);
  emit("EvidenceStored", object().str("key", key).str("hash", hash).toString());
  returnJson(record);
}

export function get(): void {
  const record = storage.get(slot(args().getString("key")));
  if (record == null) returnNull();
  else returnJson(record);
}

export function verify(): void {
  const input = args();
  const record = storage.get(slot(input.getString("key")));
  if (record == null) { returnBool(false); return; }
  returnBool(JsonObject.parse(record).getString("hash") == input.getString("hash").toLowerCase());
}
