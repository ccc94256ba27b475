// wichain contract SDK for AssemblyScript: storage, call context, events, SM3, and JSON
// arguments/results. Import it as "sdk" (the build passes templates/contracts to asc --path).
// Integers only: floats are refused at deploy, so never use f32/f64 or Math.

import * as env from "./env";
import {JsonObject, JsonWriter, parseInt64, quote} from "./json";

export {JsonObject, JsonWriter, quote, parseInt64, isHex} from "./json";

/** Copy the host register (filled by the last call that returned `length`) into new bytes. */
function readRegister(length: i32): Uint8Array {
  const bytes = new Uint8Array(length);
  if (length > 0) env.register_read(bytes.dataStart);
  return bytes;
}

function registerText(length: i32): string {
  const bytes = readRegister(length);
  return String.UTF8.decodeUnsafe(bytes.dataStart, bytes.length);
}

function utf8(text: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(text));
}

/** Refuse the call with a message (the transaction fails and nothing is written). */
export function require(condition: bool, message: string): void {
  if (!condition) abort(message);
}

// ---- call context ----------------------------------------------------------------------

/** Address of the caller (hex). */
export function caller(): string { return registerText(env.caller()); }
/** Hash of the transaction (hex): the on-chain certificate of this call. */
export function txHash(): string { return registerText(env.tx_hash()); }
export function contractName(): string { return registerText(env.contract_name()); }
export function blockHeight(): i64 { return env.block_height(); }
/** Block time in milliseconds since the epoch. */
export function blockTime(): i64 { return env.block_time(); }
export function gasLeft(): i64 { return env.gas_left(); }

// ---- arguments and result --------------------------------------------------------------

/** The call's arguments as JSON text. */
export function argsText(): string { return registerText(env.args()); }
/** The call's arguments parsed as a flat JSON object. */
export function args(): JsonObject { return JsonObject.parse(argsText()); }

export function returnJson(json: string): void {
  const bytes = utf8(json);
  env.return_value(bytes.dataStart, bytes.length);
}
export function returnString(text: string): void { returnJson(quote(text)); }
export function returnInt(value: i64): void { returnJson(value.toString()); }
export function returnBool(value: bool): void { returnJson(value ? "true" : "false"); }
export function returnNull(): void { returnJson("null"); }

// ---- storage (this contract's own state) -----------------------------------------------

export namespace storage {
  export function getBytes(key: string): Uint8Array | null {
    const k = utf8(key);
    const length = env.storage_get(k.dataStart, k.length);
    if (length < 0) return null;
    return readRegister(length);
  }
  export function setBytes(key: string, value: Uint8Array): void {
    const k = utf8(key);
    env.storage_set(k.dataStart, k.length, value.dataStart, value.length);
  }
  export function get(key: string): string | null {
    const value = getBytes(key);
    if (value == null) return null;
    return String.UTF8.decodeUnsafe(value.dataStart, value.length);
  }
  export function set(key: string, value: string): void { setBytes(key, utf8(value)); }
  export function has(key: string): bool {
    const k = utf8(key);
    return env.storage_get(k.dataStart, k.length) >= 0;
  }
  export function remove(key: string): void {
    const k = utf8(key);
    env.storage_delete(k.dataStart, k.length);
  }
  export function getInt(key: string, fallback: i64): i64 {
    const value = get(key);
    if (value == null) return fallback;
    return parseInt64(value);
  }
  export function setInt(key: string, value: i64): void { set(key, value.toString()); }
}

// ---- events, logs, hashing -------------------------------------------------------------

/** Emit an event; `data` is JSON text by convention (use JsonWriter). */
export function emit(name: string, data: string): void {
  const n = utf8(name);
  const d = utf8(data);
  env.emit(n.dataStart, n.length, d.dataStart, d.length);
}

/** A debug line kept in the call result, never in state. */
export function log(text: string): void {
  const bytes = utf8(text);
  env.log(bytes.dataStart, bytes.length);
}

export function sm3(data: Uint8Array): Uint8Array {
  const digest = new Uint8Array(32);
  env.sm3(data.dataStart, data.length, digest.dataStart);
  return digest;
}

const HEX_DIGITS = "0123456789abcdef";

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const byte = <i32>bytes[i];
    out += HEX_DIGITS.charAt(byte >> 4) + HEX_DIGITS.charAt(byte & 15);
  }
  return out;
}

/** SM3 of the UTF-8 text, as lowercase hex. */
export function sm3Hex(text: string): string { return toHex(sm3(utf8(text))); }

/** Start a JSON object for results and event data. */
export function object(): JsonWriter { return new JsonWriter(); }
