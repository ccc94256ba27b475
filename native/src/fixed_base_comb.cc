#include "fixed_base_comb.h"

namespace wichain {

namespace {

constexpr int kScalarBits = 256;

// Bits [start, start + count) of a 32-byte big-endian scalar, bit 0 being the least significant.
int ScalarBits(const uint8_t scalar[32], int start, int count) {
  int value = 0;
  for (int offset = 0; offset < count; offset++) {
    const int bit = start + offset;
    if (bit >= kScalarBits) break;
    if ((scalar[31 - bit / 8] >> (bit % 8)) & 1) value |= 1 << offset;
  }
  return value;
}

}  // namespace

FixedBaseComb::~FixedBaseComb() {
  for (EC_POINT* point : table_) EC_POINT_free(point);
}

std::unique_ptr<FixedBaseComb> FixedBaseComb::Create(const EC_GROUP* group, const EC_POINT* point, int window_bits,
                                                     BN_CTX* context) {
  if (window_bits < 2 || window_bits > 8) return nullptr;
  std::unique_ptr<FixedBaseComb> comb(new FixedBaseComb(window_bits));
  if (!comb->Build(group, point, context)) return nullptr;
  return comb;
}

bool FixedBaseComb::Build(const EC_GROUP* group, const EC_POINT* point, BN_CTX* context) {
  // One window more than the bits need: the last digit takes the final carry of the recoding.
  windows_ = (kScalarBits + window_bits_ - 1) / window_bits_ + 1;
  points_per_window_ = size_t{1} << (window_bits_ - 1);
  negated_.reset(EC_POINT_new(group));
  PointPtr base(EC_POINT_dup(point, group));  // 2^(w*i) * Q for the current window i
  if (!negated_ || !base) return false;
  table_.reserve(static_cast<size_t>(windows_) * points_per_window_);
  for (int window = 0; window < windows_; window++) {
    for (size_t digit = 1; digit <= points_per_window_; digit++) {
      EC_POINT* multiple = EC_POINT_new(group);
      if (multiple == nullptr) return false;
      table_.push_back(multiple);
      const bool ok = digit == 1 ? EC_POINT_copy(multiple, base.get()) == 1
                                 : EC_POINT_add(group, multiple, table_[table_.size() - 2], base.get(), context) == 1;
      if (!ok) return false;
    }
    // 2^(w-1) * base doubled is 2^w * base, the next window's base.
    if (EC_POINT_dbl(group, base.get(), table_.back(), context) != 1) return false;
  }
  // Affine table points make every addition a cheaper mixed addition; one batched inversion.
  return EC_POINTs_make_affine(group, table_.size(), table_.data(), context) == 1;
}

bool FixedBaseComb::Multiply(const EC_GROUP* group, const uint8_t scalar[32], EC_POINT* out, BN_CTX* context) {
  if (EC_POINT_set_to_infinity(group, out) != 1) return false;
  const int half = static_cast<int>(points_per_window_);
  int carry = 0;
  for (int window = 0; window < windows_; window++) {
    int digit = ScalarBits(scalar, window * window_bits_, window_bits_) + carry;
    carry = digit > half ? 1 : 0;
    if (carry) digit -= 1 << window_bits_;  // now in (-half, half]
    if (digit == 0) continue;
    const EC_POINT* multiple = table_[static_cast<size_t>(window) * points_per_window_ + (digit > 0 ? digit : -digit) - 1];
    if (digit < 0) {
      if (EC_POINT_copy(negated_.get(), multiple) != 1 || EC_POINT_invert(group, negated_.get(), context) != 1) return false;
      multiple = negated_.get();
    }
    if (EC_POINT_add(group, out, out, multiple, context) != 1) return false;
  }
  return carry == 0;  // the spare window absorbs the last carry for any 256-bit scalar
}

}  // namespace wichain
