// N-API glue for wichain's native SM2 verification (plain C N-API, no node-addon-api).
// Exports (see src/core/crypto/native.ts for the typed wrapper):
//   verify(publicKey, message, signature) -> boolean       fast path, per-key caches
//   verifyOpenssl(publicKey, message, signature) -> boolean  OpenSSL's EVP SM2, the reference
//   verifyDigest(publicKey, digest, signature) -> boolean   fast path given e = SM3(Z || M)
//   verifyBatch([{publicKey, message, signature}, ...]) -> Uint8Array of 0/1
//   stats() -> {knownKeys, precomputedKeys, knownKeysMax, precomputedKeysMax, tablesBuilt}
//   clearCaches()
//   opensslVersion: string
// Arguments must be Uint8Arrays (Buffers are); anything else verifies as false, as in sm2.ts.
// Every addon instance (main thread, each worker thread) owns its verifier: no shared state.
#include <node_api.h>

#include <cstddef>
#include <cstdint>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "sm2_verifier.h"

namespace {

using wichain::Sm2Verifier;

// One batch call holds the JS thread for at most ~65k verifications (a few seconds).
constexpr uint32_t kBatchItemsMax = 65536;

struct Bytes {
  const uint8_t* data = nullptr;
  size_t length = 0;
  bool valid = false;
};

Bytes ReadBytes(napi_env env, napi_value value) {
  Bytes bytes;
  bool is_typed_array = false;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array) return bytes;
  napi_typedarray_type type;
  void* data = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &type, &bytes.length, &data, &buffer, &offset) != napi_ok ||
      type != napi_uint8_array) {
    return bytes;
  }
  static const uint8_t kEmpty[1] = {0};
  bytes.data = data == nullptr ? kEmpty : static_cast<const uint8_t*>(data);  // data is already offset
  bytes.valid = true;
  return bytes;
}

Sm2Verifier* VerifierOf(napi_env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok) return nullptr;
  return static_cast<Sm2Verifier*>(data);
}

using VerifyMethod = bool (Sm2Verifier::*)(const uint8_t*, size_t, const uint8_t*, size_t, const uint8_t*, size_t);

bool VerifyValues(Sm2Verifier* verifier, VerifyMethod method, napi_env env, napi_value public_key,
                  napi_value message, napi_value signature) {
  const Bytes key = ReadBytes(env, public_key);
  const Bytes text = ReadBytes(env, message);
  const Bytes sig = ReadBytes(env, signature);
  if (!key.valid || !text.valid || !sig.valid) return false;
  // Failed checks leave entries on OpenSSL's per-thread error queue, which node:crypto reads:
  // drop exactly what this call added.
  ERR_set_mark();
  const bool valid = (verifier->*method)(key.data, key.length, text.data, text.length, sig.data, sig.length);
  ERR_pop_to_mark();
  return valid;
}

napi_value Boolean(napi_env env, bool value) {
  napi_value result = nullptr;
  napi_get_boolean(env, value, &result);
  return result;
}

napi_value VerifyWith(napi_env env, napi_callback_info info, VerifyMethod method) {
  size_t argc = 3;
  napi_value argv[3] = {nullptr, nullptr, nullptr};
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  Sm2Verifier* verifier = VerifierOf(env);
  if (verifier == nullptr || argc < 3) return Boolean(env, false);
  return Boolean(env, VerifyValues(verifier, method, env, argv[0], argv[1], argv[2]));
}

napi_value Verify(napi_env env, napi_callback_info info) {
  return VerifyWith(env, info, &Sm2Verifier::Verify);
}

napi_value VerifyOpenssl(napi_env env, napi_callback_info info) {
  return VerifyWith(env, info, &Sm2Verifier::VerifyOpenssl);
}

napi_value VerifyDigest(napi_env env, napi_callback_info info) {
  return VerifyWith(env, info, &Sm2Verifier::VerifyDigest);
}

bool VerifyItem(Sm2Verifier* verifier, napi_env env, napi_value item) {
  napi_valuetype type;
  if (napi_typeof(env, item, &type) != napi_ok || type != napi_object) return false;
  napi_value public_key, message, signature;
  if (napi_get_named_property(env, item, "publicKey", &public_key) != napi_ok ||
      napi_get_named_property(env, item, "message", &message) != napi_ok ||
      napi_get_named_property(env, item, "signature", &signature) != napi_ok) {
    return false;
  }
  return VerifyValues(verifier, &Sm2Verifier::Verify, env, public_key, message, signature);
}

napi_value VerifyBatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value items = nullptr;
  if (napi_get_cb_info(env, info, &argc, &items, nullptr, nullptr) != napi_ok) return nullptr;
  bool is_array = false;
  if (argc < 1 || napi_is_array(env, items, &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "verifyBatch expects an array of items");
    return nullptr;
  }
  uint32_t count = 0;
  napi_get_array_length(env, items, &count);
  if (count > kBatchItemsMax) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "verifyBatch accepts at most 65536 items");
    return nullptr;
  }
  Sm2Verifier* verifier = VerifierOf(env);
  void* data = nullptr;
  napi_value buffer, result;
  if (verifier == nullptr || napi_create_arraybuffer(env, count, &data, &buffer) != napi_ok ||
      napi_create_typedarray(env, napi_uint8_array, count, buffer, 0, &result) != napi_ok) {
    return nullptr;
  }
  uint8_t* out = static_cast<uint8_t*>(data);
  for (uint32_t index = 0; index < count; index++) {
    napi_value item;
    out[index] = napi_get_element(env, items, index, &item) == napi_ok && VerifyItem(verifier, env, item) ? 1 : 0;
  }
  return result;
}

void SetCount(napi_env env, napi_value object, const char* name, size_t count) {
  napi_value value;
  napi_create_uint32(env, static_cast<uint32_t>(count), &value);
  napi_set_named_property(env, object, name, value);
}

napi_value Stats(napi_env env, napi_callback_info /*info*/) {
  Sm2Verifier* verifier = VerifierOf(env);
  if (verifier == nullptr) return nullptr;
  const wichain::VerifierStats stats = verifier->Stats();
  napi_value result;
  napi_create_object(env, &result);
  SetCount(env, result, "knownKeys", stats.known_keys);
  SetCount(env, result, "precomputedKeys", stats.precomputed_keys);
  SetCount(env, result, "knownKeysMax", stats.known_keys_max);
  SetCount(env, result, "precomputedKeysMax", stats.precomputed_keys_max);
  napi_value tables_built;
  napi_create_double(env, static_cast<double>(stats.tables_built), &tables_built);
  napi_set_named_property(env, result, "tablesBuilt", tables_built);
  return result;
}

napi_value ClearCaches(napi_env env, napi_callback_info /*info*/) {
  Sm2Verifier* verifier = VerifierOf(env);
  if (verifier != nullptr) verifier->ClearCaches();
  return nullptr;
}

void DeleteVerifier(napi_env /*env*/, void* data, void* /*hint*/) {
  delete static_cast<Sm2Verifier*>(data);
}

}  // namespace

NAPI_MODULE_INIT() {
  ERR_set_mark();
  std::unique_ptr<Sm2Verifier> verifier = Sm2Verifier::Create();
  ERR_pop_to_mark();
  if (!verifier) {
    napi_throw_error(env, "ERR_WICHAIN_SM2_INIT", "OpenSSL could not set up the SM2 curve");
    return nullptr;
  }
  if (napi_set_instance_data(env, verifier.get(), DeleteVerifier, nullptr) != napi_ok) return nullptr;
  verifier.release();  // owned by the instance data now

  const napi_property_descriptor functions[] = {
      {"verify", nullptr, Verify, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"verifyOpenssl", nullptr, VerifyOpenssl, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"verifyDigest", nullptr, VerifyDigest, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"verifyBatch", nullptr, VerifyBatch, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stats", nullptr, Stats, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"clearCaches", nullptr, ClearCaches, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(functions) / sizeof(functions[0]), functions);
  napi_value version;
  napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &version);
  napi_set_named_property(env, exports, "opensslVersion", version);
  return exports;
}
