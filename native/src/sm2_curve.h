// The SM2 curve (GB/T 32918) and its verification equation over OpenSSL's EC arithmetic.
//
// Why not only EVP_DigestVerify: OpenSSL 3.0 has no optimised SM2 code, so every verification
// computes s*G + t*P from scratch (~256 doublings). Here s*G comes from a comb table of the
// generator (fixed_base_comb.h), a frequent signer's point gets OpenSSL's precomputed table (a
// copy of the group whose generator is that point), and the final x1 check stays projective
// (no field inversion). The equation itself is the standard one and is cross-checked against
// EVP_DigestVerify and sm-crypto-v2 in the tests.
//
// Not thread-safe: one instance per addon instance (per JS thread), with its own scratch space.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "fixed_base_comb.h"
#include "openssl_ptr.h"

namespace wichain {

constexpr size_t kCoordinateBytes = 32;
constexpr size_t kPublicKeyBytes = 1 + 2 * kCoordinateBytes;  // 0x04 || x || y
constexpr size_t kSignatureBytes = 2 * kCoordinateBytes;      // r || s
constexpr size_t kDigestBytes = 32;

class Sm2Curve {
 public:
  // Null when OpenSSL cannot build the curve (then the addon refuses to load).
  static std::unique_ptr<Sm2Curve> Create();

  // The point of an uncompressed public key; null if malformed or not on the curve.
  PointPtr ParsePoint(const uint8_t* bytes, size_t length);

  // Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) with the default ID 1234567812345678.
  bool SignerIdHash(const uint8_t public_key[kPublicKeyBytes], uint8_t out[kDigestBytes]);

  // e = SM3(Z || M).
  bool MessageDigest(const uint8_t z[kDigestBytes], const uint8_t* message, size_t length,
                     uint8_t out[kDigestBytes]);

  // A copy of the group whose generator is `point`, with its multiples precomputed (~2 verifies
  // of work, tens of KiB). Null on failure.
  GroupPtr PrecomputeFor(const EC_POINT* point);

  // r, s in [1, n-1]; t = r + s mod n != 0; (x1, y1) = s*G + t*P != O; r == e + x1 mod n.
  // `point_group` (may be null) is PrecomputeFor(point).
  bool Verify(const EC_POINT* point, const EC_GROUP* point_group, const uint8_t digest[kDigestBytes],
              const uint8_t signature[kSignatureBytes]);

 private:
  Sm2Curve() = default;
  bool Init();
  bool ReadScalars(const uint8_t signature[kSignatureBytes]);
  bool SumOfProducts(const EC_POINT* point, const EC_GROUP* point_group, const uint8_t s_bytes[kCoordinateBytes]);
  bool SumMatches(const uint8_t digest[kDigestBytes]);

  GroupPtr group_;
  BnContextPtr context_;
  DigestPtr sm3_;
  DigestContextPtr digest_context_;
  std::unique_ptr<FixedBaseComb> generator_comb_;
  const BIGNUM* order_ = nullptr;  // owned by group_
  const BIGNUM* field_ = nullptr;  // p, owned by group_
  BignumPtr r_, s_, t_, e_, x_, y_, z_, candidate_, zero_;
  PointPtr sum_, partial_;
  // ENTL || ID || a || b || xG || yG: the key-independent prefix of Z.
  uint8_t z_prefix_[2 + 16 + 4 * kCoordinateBytes] = {};
};

}  // namespace wichain
