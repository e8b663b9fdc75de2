#include <catch2/catch.hpp>

#include "crypto/crypto.hpp"
#include "test_data.hpp"

using namespace rollup;

namespace {
Bytes unhex(const std::string& s) { return s == "-" ? Bytes{} : *from_hex("0x" + s); }
}  // namespace

TEST_CASE("ed25519 matches the RFC 8032 vectors", "[crypto]") {
  auto rows = test::read_vectors("ed25519_rfc8032.txt");
  REQUIRE(rows.size() == 3);
  for (const auto& row : rows) {
    crypto::Seed seed{};
    auto seed_bytes = unhex(row[0]);
    std::copy(seed_bytes.begin(), seed_bytes.end(), seed.begin());
    auto kp = crypto::keypair_from_seed(seed);
    CHECK(to_hex(kp.public_key) == "0x" + row[1]);
    auto msg = unhex(row[2]);
    auto sig = crypto::sign(kp, msg);
    CHECK(to_hex(sig) == "0x" + row[3]);
    CHECK(crypto::verify(kp.public_key, msg, sig));
    sig[5] ^= 1;
    CHECK_FALSE(crypto::verify(kp.public_key, msg, sig));
  }
}

TEST_CASE("blake2b-256 matches published digests", "[crypto]") {
  auto rows = test::read_vectors("blake2b256.txt");
  REQUIRE(rows.size() == 2);
  for (const auto& row : rows) {
    auto msg = unhex(row[0]);
    CHECK(to_hex(crypto::blake2b256(msg)) == "0x" + row[1]);
    crypto::Blake2b incremental;
    for (auto b : msg) incremental.update(std::span(&b, 1));
    CHECK(to_hex(incremental.finish()) == "0x" + row[1]);
  }
}
