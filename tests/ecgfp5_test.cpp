// ECgFp5: the field GF(p^5), the curve and its encoding, scalars mod n and Schnorr signatures,
// against the reference implementation's vectors (tests/data/ecgfp5_vectors.txt).
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>

#include "ecgfp5/curve.hpp"
#include "ecgfp5/gfp5.hpp"
#include "ecgfp5/scalar.hpp"
#include "ecgfp5/schnorr.hpp"
#include "test_data.hpp"

using namespace rollup::ecgfp5;

namespace {

struct Vectors {
  std::multimap<std::string, std::vector<std::string>> rows;
  Vectors() {
    for (auto& row : rollup::test::read_vectors("ecgfp5_vectors.txt"))
      rows.emplace(row[0], std::vector<std::string>(row.begin() + 1, row.end()));
    REQUIRE(rows.size() > 30);
  }
  const std::vector<std::string>& one(const std::string& name) const {
    REQUIRE(rows.count(name) == 1);
    return rows.find(name)->second;
  }
  Gfp5 element(const std::string& name) const { return parse_element(one(name)); }
  static Gfp5 parse_element(const std::vector<std::string>& v, std::size_t first = 0) {
    REQUIRE(v.size() >= first + 5);
    return Gfp5::from_u64(std::stoull(v[first]), std::stoull(v[first + 1]),
                          std::stoull(v[first + 2]), std::stoull(v[first + 3]),
                          std::stoull(v[first + 4]));
  }
  std::vector<std::uint8_t> bytes(const std::string& name) const {
    const std::string& hex = one(name)[0];
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
      out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return out;
  }
};

const Vectors& vectors() {
  static const Vectors v;
  return v;
}

Scalar scalar_of(std::span<const std::uint8_t> bytes) {
  REQUIRE(bytes.size() == Scalar::kEncodedSize);
  auto s = Scalar::from_bytes(bytes.first<Scalar::kEncodedSize>());
  REQUIRE(s);
  return *s;
}

Scalar random_scalar(std::mt19937_64& rng) {
  std::array<std::uint8_t, 64> wide{};
  for (auto& b : wide) b = static_cast<std::uint8_t>(rng());
  return Scalar::reduce_bytes(wide);
}

Gfp5 random_element(std::mt19937_64& rng) {
  return Gfp5::from_u64(rng(), rng(), rng(), rng(), rng());
}

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace

TEST_CASE("gfp5: sum, difference, product, quotient and inverse match the reference", "[ecgfp5]") {
  const auto& v = vectors();
  const Gfp5 a = v.element("field_a"), b = v.element("field_b");
  CHECK(a + b == v.element("field_sum"));
  CHECK(a - b == v.element("field_difference"));
  CHECK(a * b == v.element("field_product"));
  CHECK(a * b.inverse() == v.element("field_quotient"));
  CHECK(a.inverse() == v.element("field_inverse_a"));
  CHECK(a.square() == a * a);
  CHECK(b.square() == b * b);
  CHECK(Gfp5::zero().inverse() == Gfp5::zero());
}

TEST_CASE("gfp5: square roots are the reference's roots, non-squares have none", "[ecgfp5]") {
  const auto& v = vectors();
  const Gfp5 a = v.element("field_a"), b = v.element("field_b");
  const auto check_root = [](const Gfp5& x, const Gfp5& expected) {
    const auto r = x.sqrt();
    CHECK(r.is_square);
    CHECK(r.root == expected);
    CHECK(r.root.square() == x);
  };
  check_root(a, v.element("sqrt5_a"));
  check_root(a.square(), v.element("sqrt5_a_squared"));
  check_root(b.square(), v.element("sqrt5_b_squared"));
  // The reference finds b and a b non-squares.
  CHECK(b.legendre() == -Felt::one());
  CHECK_FALSE(b.sqrt().is_square);
  CHECK(b.sqrt().root == Gfp5::zero());
  CHECK_FALSE((a * b).sqrt().is_square);
  CHECK(a.legendre() == Felt::one());
  CHECK(Gfp5::zero().legendre() == Felt::zero());
  CHECK(Gfp5::zero().sqrt().is_square);

  auto [first, last] = v.rows.equal_range("sqrt1");
  REQUIRE(std::distance(first, last) == 6);
  for (auto it = first; it != last; ++it) {
    const Felt x(std::stoull(it->second[0]));
    const FeltRoot r = rollup::ecgfp5::sqrt(x);
    if (it->second[1] == "none") {
      CHECK_FALSE(r.is_square);
      CHECK(legendre(x) == -Felt::one());
    } else {
      CHECK(r.is_square);
      CHECK(r.root.value() == std::stoull(it->second[1]));
    }
  }
}

TEST_CASE("gfp5: random squares have roots, 7 times a square has none (seeded)", "[ecgfp5]") {
  std::mt19937_64 rng(20260101);
  for (int i = 0; i < 200; ++i) {
    const Gfp5 x = random_element(rng).square();
    const auto r = x.sqrt();
    REQUIRE(r.is_square);
    CHECK(r.root.square() == x);
    CHECK(x.legendre() == Felt::one());
    const Gfp5 y = x * Felt(7);  // 7 is not a square in GF(p), nor then in GF(p^5) (odd degree)
    CHECK(y.legendre() == -Felt::one());
    CHECK_FALSE(y.sqrt().is_square);
    CHECK(x * x.inverse() == Gfp5::one());
    CHECK(x.frobenius2() == x.frobenius().frobenius());
    CHECK(x.frobenius() == x.pow(Felt::kModulus));
  }
}

TEST_CASE("gfp5: 40-byte encoding is canonical", "[ecgfp5]") {
  const Gfp5 a = vectors().element("field_a");
  const auto bytes = a.to_bytes();
  CHECK(bytes[0] == (9788683869780751860ULL & 0xFF));
  CHECK(Gfp5::from_bytes(bytes) == a);
  for (std::size_t limb = 0; limb < 5; ++limb) {
    auto bad = bytes;
    // p itself in one coefficient: the same element as 0 there, so it must not decode.
    for (std::size_t i = 0; i < 8; ++i)
      bad[8 * limb + i] = static_cast<std::uint8_t>(Felt::kModulus >> (8 * i));
    CHECK_FALSE(Gfp5::from_bytes(bad));
  }
}

TEST_CASE("ecgfp5: the reference's points decode, re-encode, add and double", "[ecgfp5]") {
  const auto& v = vectors();
  std::vector<Point> p;
  for (int i = 0; i < 8; ++i) {
    const Gfp5 w = v.element("point_w" + std::to_string(i));
    const auto decoded = Point::decode(w);
    REQUIRE(decoded);
    CHECK(decoded->encode() == w);
    CHECK(decoded->is_neutral() == (i == 0));
    p.push_back(*decoded);
  }
  CHECK(p[0] == Point::neutral());
  CHECK_FALSE(p[0] == p[1]);
  CHECK((p[1] + p[2]).encode() == v.element("point_w3"));
  CHECK((p[1] + p[1]).encode() == v.element("point_w4"));
  CHECK(p[1].doubled().encode() == v.element("point_w4"));
  CHECK(p[2].doubled().encode() == v.element("point_w5"));
  CHECK((p[1].doubled() + p[2]).encode() == v.element("point_w6"));
  CHECK((p[1] + p[2] + p[2]).encode() == v.element("point_w7"));
  CHECK((p[0] + p[0]).encode() == Gfp5::zero());
  CHECK(p[0].doubled().encode() == Gfp5::zero());
  CHECK((p[0] + p[1]).encode() == v.element("point_w1"));
  CHECK((p[1] - p[1]).is_neutral());
  for (unsigned n = 0; n < 12; ++n) {
    Point repeated = p[2];
    for (unsigned i = 0; i < n; ++i) repeated = repeated.doubled();
    CHECK(p[2].doubled(n) == repeated);
    CHECK(p[0].doubled(n).is_neutral());
  }
  CHECK((p[3] - p[2]) == p[1]);
}

TEST_CASE("ecgfp5: the reference's invalid encodings are rejected", "[ecgfp5]") {
  auto [first, last] = vectors().rows.equal_range("invalid_w");
  REQUIRE(std::distance(first, last) == 6);
  for (auto it = first; it != last; ++it) {
    const Gfp5 w = Vectors::parse_element(it->second);
    CHECK_FALSE(Point::decode(w));
    CHECK_FALSE(Point::from_bytes(w.to_bytes()));
  }
  // The generator's w = 4 with a coefficient written as itself + p: same value, rejected.
  for (std::size_t limb = 0; limb < 2; ++limb) {
    auto bytes = Point::generator().to_bytes();
    const std::uint64_t plus_p = (limb == 0 ? 4 : 0) + Felt::kModulus;
    for (int i = 0; i < 8; ++i) bytes[8 * limb + i] = static_cast<std::uint8_t>(plus_p >> (8 * i));
    CHECK_FALSE(Point::from_bytes(bytes));
  }
  CHECK(Point::from_bytes(Point::generator().to_bytes()));
}

TEST_CASE("ecgfp5: the generator is w = 4 with the reference's coordinates", "[ecgfp5]") {
  const auto& v = vectors();
  const Point& g = Point::generator();
  CHECK(g.encode() == Gfp5(Felt(4)));
  // In affine terms the reference stores x and u = x/y: u = 1/w, and x = generator_x.
  CHECK(v.element("generator_u") == Gfp5(Felt(4)).inverse());
  const Gfp5 x = v.element("generator_x");
  // x lies on the curve with y = w x: (w x)^2 = x (x^2 + 2 x + 263 z).
  const Gfp5 y = x * Gfp5(Felt(4));
  CHECK(y.square() == x * (x.square() + x * Felt(2) + Gfp5::from_u64(0, 263, 0, 0, 0)));
  CHECK(x.legendre() == -Felt::one());  // group elements have a non-square x
}

TEST_CASE("ecgfp5: scalar multiplication matches the reference's vector", "[ecgfp5]") {
  const auto& v = vectors();
  const auto p = Point::decode(v.element("mul_point"));
  REQUIRE(p);
  const Scalar e = scalar_of(v.bytes("mul_scalar"));
  CHECK((*p * e).encode() == v.element("mul_result"));
  CHECK(Point::mul_add_generator_vartime(Scalar(), e, *p).encode() == v.element("mul_result"));
}

TEST_CASE("ecgfp5: scalar multiplication agrees with additions and the group order", "[ecgfp5]") {
  const Point& g = Point::generator();
  Point sum;
  for (std::uint64_t k = 0; k < 40; ++k) {
    CHECK(g * Scalar::from_u64(k) == sum);
    sum = sum + g;
  }
  // n G = neutral, (n - 1) G = -G: n is the group's order.
  const Scalar minus_one = -Scalar::from_u64(1);
  CHECK(g * minus_one == -g);
  CHECK(Point::mul_generator(minus_one) == -g);
  CHECK(Point::mul_generator(Scalar()).is_neutral());
  CHECK(Point::mul_generator(Scalar::from_u64(17)) == g * Scalar::from_u64(17));
  CHECK((g * minus_one + g).is_neutral());
  std::mt19937_64 rng(77);
  for (int i = 0; i < 10; ++i) {
    const Scalar a = random_scalar(rng), b = random_scalar(rng);
    const Point q = g * random_scalar(rng);
    CHECK(g * (a + b) == g * a + g * b);
    CHECK(g * (a * b) == (g * a) * b);
    CHECK(Point::mul_add_generator_vartime(a, b, q) == g * a + q * b);
    const Scalar short_b = Scalar::from_limbs_unchecked({b.limbs()[0], b.limbs()[1], 0, 0, 0});
    CHECK(Point::mul_add_generator_vartime(a, short_b, q) == g * a + q * short_b);
    CHECK(Point::mul_add_generator_vartime(a, Scalar(), q) == g * a);
    CHECK(Point::mul_generator(a) == g * a);
  }
}

TEST_CASE("ecgfp5: scalars decode canonically and reduce wide values like the reference",
          "[ecgfp5]") {
  const auto& v = vectors();
  const auto n_minus_1 = v.bytes("scalar_buf1"), n = v.bytes("scalar_buf2");
  REQUIRE(n.size() >= 40);
  CHECK(Scalar::from_bytes(std::span(n_minus_1).first<40>()));
  CHECK_FALSE(Scalar::from_bytes(std::span(n).first<40>()));
  CHECK(Scalar::reduce_bytes(std::span(n).first<40>()).is_zero());
  CHECK(Scalar::from_bytes(std::span(n_minus_1).first<40>())->to_bytes() ==
        (-Scalar::from_u64(1)).to_bytes());
  std::array<std::uint8_t, 40> all_ones{};
  all_ones.fill(0xFF);
  CHECK_FALSE(Scalar::from_bytes(all_ones));

  const auto wide = v.bytes("scalar_wide");
  const auto reduced = v.bytes("scalar_wide_mod_n");
  Scalar s = Scalar::reduce_bytes(wide);
  const auto s_bytes = s.to_bytes();
  CHECK(std::vector<std::uint8_t>(s_bytes.begin(), s_bytes.end()) == reduced);
  for (int i = 0; i < 8; ++i) s = s * s;
  const auto pow256 = s.to_bytes();
  CHECK(std::vector<std::uint8_t>(pow256.begin(), pow256.end()) ==
        v.bytes("scalar_wide_mod_n_pow256"));
  // 2^384 (buf3) reduces to what repeated doubling gives.
  Scalar two_pow = Scalar::from_u64(1);
  for (int i = 0; i < 376; ++i) two_pow = two_pow + two_pow;
  CHECK(Scalar::reduce_bytes(v.bytes("scalar_buf3")) == two_pow);
}

TEST_CASE("ecgfp5: signed digits recompose the scalar", "[ecgfp5]") {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 50; ++i) {
    const Scalar s = i == 0 ? -Scalar::from_u64(1) : random_scalar(rng);
    const auto digits = s.signed_digits();
    Scalar acc;
    const Scalar thirty_two = Scalar::from_u64(32);
    for (std::size_t k = digits.size(); k-- > 0;) {
      CHECK(digits[k] >= -15);
      CHECK(digits[k] <= 16);
      const Scalar d = Scalar::from_u64(static_cast<std::uint64_t>(std::abs(digits[k])));
      acc = acc * thirty_two + (digits[k] < 0 ? -d : d);
    }
    CHECK(acc == s);
    CHECK(digits.back() >= 0);
  }
}

TEST_CASE("schnorr: sign then verify, deterministic, bound to key, domain and message",
          "[ecgfp5]") {
  Seed seed{};
  seed[0] = 42;
  const KeyPair key = KeyPair::from_seed(seed);
  const SigningDomain domain{7, 3};
  const auto msg = bytes_of("transfer 5 from alice to bob");
  const Signature sig = key.sign(domain, msg);
  CHECK(verify(key.public_key(), domain, msg, sig));
  CHECK(key.sign(domain, msg) == sig);  // deterministic nonce
  CHECK(KeyPair::from_seed(seed).public_key() == key.public_key());
  CHECK(Point::generator() * key.secret_scalar() == *Point::from_bytes(key.public_key()));

  auto other_msg = msg;
  other_msg.back() ^= 1;
  CHECK_FALSE(verify(key.public_key(), domain, other_msg, sig));
  CHECK(key.sign(domain, other_msg) != sig);  // another message, another nonce
  CHECK_FALSE(verify(key.public_key(), SigningDomain{8, 3}, msg, sig));
  CHECK_FALSE(verify(key.public_key(), SigningDomain{7, 4}, msg, sig));
  CHECK_FALSE(verify(key.public_key(), SigningDomain{7 + (std::uint64_t{1} << 32), 3}, msg, sig));
  const KeyPair other = KeyPair::generate();
  CHECK_FALSE(verify(other.public_key(), domain, msg, sig));
  CHECK(verify(other.public_key(), domain, msg, other.sign(domain, msg)));
  const auto empty = std::vector<std::uint8_t>{};
  CHECK(verify(key.public_key(), domain, empty, key.sign(domain, empty)));
  // The length prefix keeps a trailing zero byte from hashing like no byte.
  auto padded = msg;
  padded.push_back(0);
  CHECK_FALSE(verify(key.public_key(), domain, padded, sig));

  for (std::size_t i = 0; i < sig.size(); i += 7) {
    Signature tampered = sig;
    tampered[i] ^= 0x10;
    CHECK_FALSE(verify(key.public_key(), domain, msg, tampered));
  }
}

TEST_CASE("schnorr: malleable and malformed signatures and keys are rejected", "[ecgfp5]") {
  Seed seed{};
  seed[5] = 9;
  const KeyPair key = KeyPair::from_seed(seed);
  const SigningDomain domain{1, 1};
  const auto msg = bytes_of("hello");
  const Signature sig = key.sign(domain, msg);
  REQUIRE(verify(key.public_key(), domain, msg, sig));

  // s + n: the same s mod n, so the equation holds, but s >= n must be refused.
  Signature malleated = sig;
  std::uint64_t carry = 0;
  for (std::size_t limb = 0; limb < 5; ++limb) {
    std::uint64_t s = 0;
    for (int i = 0; i < 8; ++i) s |= std::uint64_t{sig[40 + 8 * limb + i]} << (8 * i);
    const unsigned __int128 t = static_cast<unsigned __int128>(s) + Scalar::kOrder[limb] + carry;
    for (int i = 0; i < 8; ++i)
      malleated[40 + 8 * limb + i] =
          static_cast<std::uint8_t>(static_cast<std::uint64_t>(t) >> (8 * i));
    carry = static_cast<std::uint64_t>(t >> 64);
  }
  if (carry == 0) CHECK_FALSE(verify(key.public_key(), domain, msg, malleated));

  // R's w with a coefficient written as itself + p (when that fits in 64 bits).
  for (std::size_t limb = 0; limb < 5; ++limb) {
    std::uint64_t c = 0;
    for (int i = 0; i < 8; ++i) c |= std::uint64_t{sig[8 * limb + i]} << (8 * i);
    if (c > Felt::kEpsilon) continue;
    Signature noncanonical = sig;
    const std::uint64_t plus_p = c + Felt::kModulus;
    for (int i = 0; i < 8; ++i)
      noncanonical[8 * limb + i] = static_cast<std::uint8_t>(plus_p >> (8 * i));
    CHECK_FALSE(verify(key.public_key(), domain, msg, noncanonical));
  }

  // The neutral as a public key (secret 0) or as R, and an invalid point as either.
  const PublicKey neutral{};
  CHECK_FALSE(verify(neutral, domain, msg, sig));
  auto invalid_w = Vectors::parse_element(vectors().rows.find("invalid_w")->second).to_bytes();
  CHECK_FALSE(verify(invalid_w, domain, msg, sig));
  Signature bad_r = sig;
  std::copy(invalid_w.begin(), invalid_w.end(), bad_r.begin());
  CHECK_FALSE(verify(key.public_key(), domain, msg, bad_r));
  // R the neutral with s = e x, so that s G - e X = R holds: refused all the same (only a nonce
  // of zero gives it, and the in-proof check, air::SchnorrAir, proves R decodes to a point).
  {
    const Gfp5 key_w = *Gfp5::from_bytes(key.public_key());
    const Scalar e = challenge(domain, key_w, Gfp5::zero(), msg);
    const Scalar s = e * key.secret_scalar();
    REQUIRE(Point::mul_add_generator_vartime(s, e, -*Point::from_bytes(key.public_key()))
                .is_neutral());
    Signature neutral_r{};
    const auto s_bytes = s.to_bytes();
    std::copy(s_bytes.begin(), s_bytes.end(), neutral_r.begin() + 40);
    CHECK_FALSE(verify(key.public_key(), domain, msg, neutral_r));
  }
  // Negating the public key (a valid point, another key) breaks the signature.
  const auto negated = (-*Point::from_bytes(key.public_key())).to_bytes();
  CHECK_FALSE(verify(negated, domain, msg, sig));
}

TEST_CASE("schnorr: the challenge input is laid out as documented", "[ecgfp5]") {
  const Gfp5 pk = Gfp5::from_u64(1, 2, 3, 4, 5), r = Gfp5::from_u64(6, 7, 8, 9, 10);
  const std::vector<std::uint8_t> msg{1, 2, 3, 4, 5, 6, 7, 8, 9};
  const auto elements = challenge_elements(SigningDomain{0x1122334455667788ULL, 99}, pk, r, msg);
  const std::size_t tag = kChallengeTag.size();
  const std::size_t tag_elements = 1 + (tag + 6) / 7;
  REQUIRE(elements.size() == tag_elements + 3 + 5 + 5 + 1 + 2);
  CHECK(elements[0].value() == tag);
  std::size_t i = tag_elements;
  CHECK(elements[i++].value() == 0x55667788ULL);
  CHECK(elements[i++].value() == 0x11223344ULL);
  CHECK(elements[i++].value() == 99);
  for (std::uint64_t c = 1; c <= 10; ++c) CHECK(elements[i++].value() == c);
  CHECK(elements[i++].value() == 9);
  CHECK(elements[i++].value() == 0x07060504030201ULL);
  CHECK(elements[i++].value() == 0x0908ULL);
  const Scalar e = challenge(SigningDomain{0x1122334455667788ULL, 99}, pk, r, msg);
  const auto d = rollup::hash::hash_elements(elements);
  CHECK(e.limbs()[0] == d[0].value());
  CHECK(e.limbs()[3] == d[3].value());
  CHECK(e.limbs()[4] == 0);
}
