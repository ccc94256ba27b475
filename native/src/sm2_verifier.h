// SM2 signature verification with the default ID, raw r || s signatures and uncompressed
// 65-byte public keys: the same contract as src/core/crypto/sm2.ts `verify` (malformed input
// is simply "false"). Two paths:
//   Verify         - the fast path (sm2_curve.h), with per-key caches;
//   VerifyOpenssl  - OpenSSL's own SM2 (EVP_DigestVerify with SM3), the reference.
// Not thread-safe: one instance per addon instance (per JS thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "lru_cache.h"
#include "openssl_ptr.h"
#include "sm2_curve.h"

namespace wichain {

// Parsed keys with their Z value: a few hundred bytes each.
constexpr size_t kKnownKeysMax = 4096;
// Per-key tables: ~80 KiB each (see native/README.md), so at most ~20 MiB per thread.
constexpr size_t kPrecomputedKeysMax = 256;
// A key gets a table on its second sighting, so a stream of one-off keys (new senders, or an
// attacker) costs a plain verification each.
constexpr uint32_t kSightingsToPrecompute = 2;
// A table costs about five plain verifications. Once the tables are full, building one (and
// evicting another) spends kPrecomputeCreditCost credits, earned one per verification: more
// live signers than tables (or an attacker cycling keys) then adds at most ~15% to the plain
// cost instead of paying a table for every verification.
constexpr uint32_t kPrecomputeCreditCost = 32;
constexpr uint32_t kPrecomputeCreditMax = 4 * kPrecomputeCreditCost;

struct VerifierStats {
  size_t known_keys;
  size_t precomputed_keys;
  size_t known_keys_max;
  size_t precomputed_keys_max;
  uint64_t tables_built;  // since the instance started: shows how often tables are rebuilt
};

class Sm2Verifier {
 public:
  static std::unique_ptr<Sm2Verifier> Create();

  bool Verify(const uint8_t* public_key, size_t public_key_length, const uint8_t* message, size_t message_length,
              const uint8_t* signature, size_t signature_length);
  bool VerifyOpenssl(const uint8_t* public_key, size_t public_key_length, const uint8_t* message,
                     size_t message_length, const uint8_t* signature, size_t signature_length);
  // The fast path from e = SM3(Z || M) on: for callers that hashed already, and for tests that
  // need chosen digests (malleated scalars, the rare x1 >= n case).
  bool VerifyDigest(const uint8_t* public_key, size_t public_key_length, const uint8_t* digest, size_t digest_length,
                    const uint8_t* signature, size_t signature_length);
  VerifierStats Stats() const {
    return {known_.size(), precomputed_.size(), kKnownKeysMax, kPrecomputedKeysMax, tables_built_};
  }
  void ClearCaches();

 private:
  struct KnownKey {
    PointPtr point;
    uint8_t z[kDigestBytes];
    uint32_t sightings;
    EvpKeyPtr evp_key;  // built on first use of the reference path
  };

  explicit Sm2Verifier(std::unique_ptr<Sm2Curve> curve)
      : curve_(std::move(curve)), known_(kKnownKeysMax), precomputed_(kPrecomputedKeysMax) {}
  // The cache key (x || y), or empty when the bytes are not an uncompressed point encoding.
  static std::string KeyId(const uint8_t* public_key, size_t length);
  KnownKey* Lookup(const std::string& id, const uint8_t* public_key, size_t length);
  const EC_GROUP* PointGroupFor(const std::string& id, KnownKey* key);

  std::unique_ptr<Sm2Curve> curve_;
  LruCache<KnownKey> known_;
  LruCache<GroupPtr> precomputed_;
  uint32_t precompute_credit_ = kPrecomputeCreditMax;
  uint64_t tables_built_ = 0;
};

}  // namespace wichain
