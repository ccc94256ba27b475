// Fixed-base scalar multiplication k*Q with a table of signed-digit window multiples of Q:
// table[i][d-1] = d * 2^(w*i) * Q for d in 1..2^(w-1), all affine. k is recoded into signed
// digits in (-2^(w-1), 2^(w-1)] (one per window), so k*Q is one mixed addition per nonzero
// digit and no doublings: for w = 6, 44 additions instead of OpenSSL's ~50 additions, ~9
// doublings and a field inversion with its own precomputed tables. Used for the generator,
// whose table (~1,400 points, ~430 KiB) is built once per addon instance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "openssl_ptr.h"

namespace wichain {

class FixedBaseComb {
 public:
  ~FixedBaseComb();
  FixedBaseComb(const FixedBaseComb&) = delete;
  FixedBaseComb& operator=(const FixedBaseComb&) = delete;

  // Null on failure. Scalars are 256-bit (SM2).
  static std::unique_ptr<FixedBaseComb> Create(const EC_GROUP* group, const EC_POINT* point, int window_bits,
                                               BN_CTX* context);

  // out = k * Q, with k a 32-byte big-endian scalar. Variable time: for public scalars only.
  bool Multiply(const EC_GROUP* group, const uint8_t scalar[32], EC_POINT* out, BN_CTX* context);

 private:
  FixedBaseComb(int window_bits) : window_bits_(window_bits) {}
  bool Build(const EC_GROUP* group, const EC_POINT* point, BN_CTX* context);

  int window_bits_;
  int windows_ = 0;
  size_t points_per_window_ = 0;
  std::vector<EC_POINT*> table_;  // owned; raw pointers because EC_POINTs_make_affine wants an array
  PointPtr negated_;              // scratch for negative digits
};

}  // namespace wichain
