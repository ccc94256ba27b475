#include "sm2_verifier.h"

#include <cstring>

#include <openssl/core_names.h>
#include <openssl/params.h>

namespace wichain {

namespace {

const char kDefaultId[] = "1234567812345678";
// SEQUENCE { INTEGER r, INTEGER s }, each at most 33 content bytes: short-form lengths only.
constexpr size_t kDerSignatureBytesMax = 2 + 2 * (2 + kCoordinateBytes + 1);

size_t EncodeDerInteger(const uint8_t* magnitude, uint8_t* out) {
  size_t start = 0;
  while (start < kCoordinateBytes - 1 && magnitude[start] == 0) start++;
  const bool sign_pad = (magnitude[start] & 0x80) != 0;
  const size_t length = kCoordinateBytes - start + (sign_pad ? 1 : 0);
  size_t offset = 0;
  out[offset++] = 0x02;
  out[offset++] = static_cast<uint8_t>(length);
  if (sign_pad) out[offset++] = 0x00;
  std::memcpy(out + offset, magnitude + start, kCoordinateBytes - start);
  return 2 + length;
}

size_t EncodeDerSignature(const uint8_t signature[kSignatureBytes], uint8_t out[kDerSignatureBytesMax]) {
  size_t content = EncodeDerInteger(signature, out + 2);
  content += EncodeDerInteger(signature + kCoordinateBytes, out + 2 + content);
  out[0] = 0x30;
  out[1] = static_cast<uint8_t>(content);
  return 2 + content;
}

EvpKeyPtr NewEvpPublicKey(const uint8_t public_key[kPublicKeyBytes]) {
  EvpKeyContextPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  if (!context || EVP_PKEY_fromdata_init(context.get()) != 1) return nullptr;
  char group_name[] = "SM2";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<uint8_t*>(public_key),
                                        kPublicKeyBytes),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) return nullptr;
  return EvpKeyPtr(key);
}

bool EvpVerify(EVP_PKEY* key, const uint8_t* message, size_t message_length,
               const uint8_t signature[kSignatureBytes]) {
  uint8_t der[kDerSignatureBytesMax];
  const size_t der_length = EncodeDerSignature(signature, der);
  EvpKeyContextPtr key_context(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  DigestContextPtr digest(EVP_MD_CTX_new());  // declared last: freed before key_context
  if (!key_context || !digest) return false;
  if (EVP_PKEY_CTX_set1_id(key_context.get(), kDefaultId, sizeof(kDefaultId) - 1) != 1) return false;
  EVP_MD_CTX_set_pkey_ctx(digest.get(), key_context.get());
  if (EVP_DigestVerifyInit(digest.get(), nullptr, EVP_sm3(), nullptr, key) != 1) return false;
  return EVP_DigestVerify(digest.get(), der, der_length, message, message_length) == 1;
}

}  // namespace

std::unique_ptr<Sm2Verifier> Sm2Verifier::Create() {
  std::unique_ptr<Sm2Curve> curve = Sm2Curve::Create();
  if (!curve) return nullptr;
  return std::unique_ptr<Sm2Verifier>(new Sm2Verifier(std::move(curve)));
}

std::string Sm2Verifier::KeyId(const uint8_t* public_key, size_t length) {
  if (length != kPublicKeyBytes || public_key[0] != 0x04) return std::string();
  return std::string(reinterpret_cast<const char*>(public_key + 1), kPublicKeyBytes - 1);
}

Sm2Verifier::KnownKey* Sm2Verifier::Lookup(const std::string& id, const uint8_t* public_key, size_t length) {
  if (id.empty()) return nullptr;
  KnownKey* known = known_.Get(id);
  if (known != nullptr) return known;
  PointPtr point = curve_->ParsePoint(public_key, length);
  if (!point) return nullptr;  // not cached: a bad key costs a parse each time, nothing more
  KnownKey entry{std::move(point), {}, 0, nullptr};
  if (!curve_->SignerIdHash(public_key, entry.z)) return nullptr;
  return known_.Put(id, std::move(entry));
}

const EC_GROUP* Sm2Verifier::PointGroupFor(const std::string& id, KnownKey* key) {
  if (key->sightings < kSightingsToPrecompute) key->sightings++;
  if (precompute_credit_ < kPrecomputeCreditMax) precompute_credit_++;
  GroupPtr* cached = precomputed_.Get(id);
  if (cached != nullptr) return cached->get();
  if (key->sightings < kSightingsToPrecompute) return nullptr;
  if (precomputed_.size() >= kPrecomputedKeysMax) {
    if (precompute_credit_ < kPrecomputeCreditCost) return nullptr;
    precompute_credit_ -= kPrecomputeCreditCost;
  }
  GroupPtr group = curve_->PrecomputeFor(key->point.get());
  if (!group) return nullptr;  // verify without the table; the result is the same
  tables_built_++;
  return precomputed_.Put(id, std::move(group))->get();
}

bool Sm2Verifier::Verify(const uint8_t* public_key, size_t public_key_length, const uint8_t* message,
                         size_t message_length, const uint8_t* signature, size_t signature_length) {
  if (signature_length != kSignatureBytes) return false;
  const std::string id = KeyId(public_key, public_key_length);
  KnownKey* key = Lookup(id, public_key, public_key_length);
  if (key == nullptr) return false;
  uint8_t digest[kDigestBytes];
  if (!curve_->MessageDigest(key->z, message, message_length, digest)) return false;
  const EC_GROUP* point_group = PointGroupFor(id, key);
  return curve_->Verify(key->point.get(), point_group, digest, signature);
}

bool Sm2Verifier::VerifyDigest(const uint8_t* public_key, size_t public_key_length, const uint8_t* digest,
                               size_t digest_length, const uint8_t* signature, size_t signature_length) {
  if (signature_length != kSignatureBytes || digest_length != kDigestBytes) return false;
  const std::string id = KeyId(public_key, public_key_length);
  KnownKey* key = Lookup(id, public_key, public_key_length);
  if (key == nullptr) return false;
  return curve_->Verify(key->point.get(), PointGroupFor(id, key), digest, signature);
}

bool Sm2Verifier::VerifyOpenssl(const uint8_t* public_key, size_t public_key_length, const uint8_t* message,
                                size_t message_length, const uint8_t* signature, size_t signature_length) {
  if (signature_length != kSignatureBytes) return false;
  KnownKey* key = Lookup(KeyId(public_key, public_key_length), public_key, public_key_length);
  if (key == nullptr) return false;
  if (!key->evp_key) key->evp_key = NewEvpPublicKey(public_key);
  if (!key->evp_key) return false;
  return EvpVerify(key->evp_key.get(), message, message_length, signature);
}

void Sm2Verifier::ClearCaches() {
  precomputed_.Clear();
  known_.Clear();
}

}  // namespace wichain
