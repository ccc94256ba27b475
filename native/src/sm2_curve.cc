#include "sm2_curve.h"

#include <cstring>
#include <initializer_list>

#include <openssl/obj_mac.h>

namespace wichain {

namespace {

const char kDefaultId[] = "1234567812345678";  // GB/T 35276 default distinguishing ID
constexpr size_t kDefaultIdBytes = sizeof(kDefaultId) - 1;
// 44 windows of 32 affine points: ~430 KiB per addon instance, built in a few milliseconds.
constexpr int kGeneratorWindowBits = 6;

// Big-endian, left-padded to 32 bytes.
bool WriteCoordinate(const BIGNUM* value, uint8_t* out) {
  return BN_bn2binpad(value, out, kCoordinateBytes) == static_cast<int>(kCoordinateBytes);
}

}  // namespace

std::unique_ptr<Sm2Curve> Sm2Curve::Create() {
  std::unique_ptr<Sm2Curve> curve(new Sm2Curve());
  if (!curve->Init()) return nullptr;
  return curve;
}

bool Sm2Curve::Init() {
  group_.reset(EC_GROUP_new_by_curve_name(NID_sm2));
  context_.reset(BN_CTX_new());
  sm3_.reset(EVP_MD_fetch(nullptr, "SM3", nullptr));  // fetched once: implicit fetches cost per call
  digest_context_.reset(EVP_MD_CTX_new());
  if (!group_ || !context_ || !sm3_ || !digest_context_) return false;
  order_ = EC_GROUP_get0_order(group_.get());
  field_ = EC_GROUP_get0_field(group_.get());
  if (order_ == nullptr || field_ == nullptr) return false;
  for (BignumPtr* number : {&r_, &s_, &t_, &e_, &x_, &y_, &z_, &candidate_, &zero_}) {
    number->reset(BN_new());
    if (!*number) return false;
  }
  BN_zero(zero_.get());
  sum_.reset(EC_POINT_new(group_.get()));
  partial_.reset(EC_POINT_new(group_.get()));
  if (!sum_ || !partial_ || EC_GROUP_precompute_mult(group_.get(), context_.get()) != 1) return false;
  generator_comb_ = FixedBaseComb::Create(group_.get(), EC_GROUP_get0_generator(group_.get()), kGeneratorWindowBits,
                                          context_.get());
  if (!generator_comb_) return false;

  BignumPtr a(BN_new()), b(BN_new()), x(BN_new()), y(BN_new());
  if (!a || !b || !x || !y) return false;
  if (EC_GROUP_get_curve(group_.get(), nullptr, a.get(), b.get(), context_.get()) != 1) return false;
  if (EC_POINT_get_affine_coordinates(group_.get(), EC_GROUP_get0_generator(group_.get()), x.get(), y.get(),
                                      context_.get()) != 1) {
    return false;
  }
  uint8_t* out = z_prefix_;
  *out++ = static_cast<uint8_t>((kDefaultIdBytes * 8) >> 8);
  *out++ = static_cast<uint8_t>((kDefaultIdBytes * 8) & 0xff);
  std::memcpy(out, kDefaultId, kDefaultIdBytes);
  out += kDefaultIdBytes;
  for (const BIGNUM* value : {a.get(), b.get(), x.get(), y.get()}) {
    if (!WriteCoordinate(value, out)) return false;
    out += kCoordinateBytes;
  }
  return true;
}

PointPtr Sm2Curve::ParsePoint(const uint8_t* bytes, size_t length) {
  // Only the uncompressed form: the same single encoding the JS side accepts.
  if (length != kPublicKeyBytes || bytes[0] != 0x04) return nullptr;
  PointPtr point(EC_POINT_new(group_.get()));
  // oct2point checks that the point lies on the curve; cofactor 1 means no subgroup check.
  if (!point || EC_POINT_oct2point(group_.get(), point.get(), bytes, length, context_.get()) != 1) return nullptr;
  if (EC_POINT_is_at_infinity(group_.get(), point.get())) return nullptr;
  return point;
}

bool Sm2Curve::SignerIdHash(const uint8_t public_key[kPublicKeyBytes], uint8_t out[kDigestBytes]) {
  EVP_MD_CTX* digest = digest_context_.get();
  return EVP_DigestInit_ex2(digest, sm3_.get(), nullptr) == 1 &&
         EVP_DigestUpdate(digest, z_prefix_, sizeof(z_prefix_)) == 1 &&
         EVP_DigestUpdate(digest, public_key + 1, kPublicKeyBytes - 1) == 1 &&
         EVP_DigestFinal_ex(digest, out, nullptr) == 1;
}

bool Sm2Curve::MessageDigest(const uint8_t z[kDigestBytes], const uint8_t* message, size_t length,
                             uint8_t out[kDigestBytes]) {
  EVP_MD_CTX* digest = digest_context_.get();
  return EVP_DigestInit_ex2(digest, sm3_.get(), nullptr) == 1 && EVP_DigestUpdate(digest, z, kDigestBytes) == 1 &&
         EVP_DigestUpdate(digest, message, length) == 1 && EVP_DigestFinal_ex(digest, out, nullptr) == 1;
}

GroupPtr Sm2Curve::PrecomputeFor(const EC_POINT* point) {
  GroupPtr copy(EC_GROUP_dup(group_.get()));
  if (!copy) return nullptr;
  // Same curve and order (the point is in the prime-order group, cofactor 1); set_generator
  // drops the inherited table for G, then precompute_mult builds the table for the point.
  if (EC_GROUP_set_generator(copy.get(), point, order_, EC_GROUP_get0_cofactor(group_.get())) != 1 ||
      EC_GROUP_precompute_mult(copy.get(), context_.get()) != 1) {
    return nullptr;
  }
  return copy;
}

bool Sm2Curve::ReadScalars(const uint8_t signature[kSignatureBytes]) {
  if (!BN_bin2bn(signature, kCoordinateBytes, r_.get()) ||
      !BN_bin2bn(signature + kCoordinateBytes, kCoordinateBytes, s_.get())) {
    return false;
  }
  for (const BIGNUM* scalar : {r_.get(), s_.get()}) {
    if (BN_is_zero(scalar) || BN_cmp(scalar, order_) >= 0) return false;
  }
  return BN_mod_add(t_.get(), r_.get(), s_.get(), order_, context_.get()) == 1 && !BN_is_zero(t_.get());
}

// sum_ = s*G + t*P. Without a table for P, one interleaved call (G's multiples precomputed by
// OpenSSL, P's doublings shared). With one, s*G from the comb and t*P on P's group: OpenSSL uses
// a group's table only for its generator and only in a multi-scalar call (a lone scalar takes
// the constant-time ladder), hence the zero-scalar second term.
bool Sm2Curve::SumOfProducts(const EC_POINT* point, const EC_GROUP* point_group,
                             const uint8_t s_bytes[kCoordinateBytes]) {
  const EC_GROUP* group = group_.get();
  BN_CTX* context = context_.get();
  if (point_group == nullptr) return EC_POINT_mul(group, sum_.get(), s_.get(), point, t_.get(), context) == 1;
  return generator_comb_->Multiply(group, s_bytes, partial_.get(), context) &&
         EC_POINT_mul(point_group, sum_.get(), t_.get(), EC_GROUP_get0_generator(group), zero_.get(), context) == 1 &&
         EC_POINT_add(group, sum_.get(), sum_.get(), partial_.get(), context) == 1;
}

// With sum_ = (X : Y : Z) in Jacobian coordinates, x1 = X / Z^2 (mod p), and the signature holds
// iff x1 = r - e (mod n). As x1 < p and p < 2n, x1 is c = (r - e) mod n or c + n: comparing
// X with c * Z^2 for each avoids the field inversion that affine x1 would cost.
bool Sm2Curve::SumMatches(const uint8_t digest[kDigestBytes]) {
  BN_CTX* context = context_.get();
  if (EC_POINT_is_at_infinity(group_.get(), sum_.get())) return false;
  if (EC_POINT_get_Jprojective_coordinates_GFp(group_.get(), sum_.get(), x_.get(), y_.get(), z_.get(), context) != 1 ||
      BN_is_zero(z_.get())) {
    return false;
  }
  if (!BN_bin2bn(digest, kDigestBytes, e_.get())) return false;
  // BN_mod_sub and BN_mod_sqr reduce any non-negative inputs; e may exceed n.
  if (BN_mod_sub(candidate_.get(), r_.get(), e_.get(), order_, context) != 1 ||
      BN_mod_sqr(z_.get(), z_.get(), field_, context) != 1) {
    return false;
  }
  for (int attempt = 0; attempt < 2; attempt++) {
    if (attempt == 1 && (BN_add(candidate_.get(), candidate_.get(), order_) != 1 || BN_cmp(candidate_.get(), field_) >= 0)) {
      return false;
    }
    if (BN_mod_mul(y_.get(), candidate_.get(), z_.get(), field_, context) != 1) return false;
    if (BN_cmp(y_.get(), x_.get()) == 0) return true;
  }
  return false;
}

bool Sm2Curve::Verify(const EC_POINT* point, const EC_GROUP* point_group, const uint8_t digest[kDigestBytes],
                      const uint8_t signature[kSignatureBytes]) {
  return ReadScalars(signature) && SumOfProducts(point, point_group, signature + kCoordinateBytes) &&
         SumMatches(digest);
}

}  // namespace wichain
