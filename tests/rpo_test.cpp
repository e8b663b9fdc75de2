#include "hash/rpo.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/bytes.hpp"

using rollup::hash::Digest;
using rollup::hash::Felt;
using rollup::hash::State;
namespace rpo = rollup::hash;

namespace {

std::string test_data_dir() {
  if (const char* env = std::getenv("ROLLUP_TEST_DATA")) return env;
  return ROLLUP_TEST_DATA;
}

Felt random_felt(std::mt19937_64& rng) { return Felt(rng() % Felt::kModulus); }

// The permutation written straight from the specification with Felt arithmetic only, so that
// the fast path (lazy reduction, split MDS, addition chain) is checked against something obvious.
void reference_permute(State& s) {
  const auto& row = rpo::mds_row();
  auto mds = [&](State& st) {
    State out{};
    for (std::size_t i = 0; i < 12; ++i)
      for (std::size_t j = 0; j < 12; ++j) out[i] += Felt(row[(j + 12 - i) % 12]) * st[j];
    st = out;
  };
  for (std::size_t r = 0; r < rpo::kRounds; ++r) {
    mds(s);
    for (std::size_t i = 0; i < 12; ++i) s[i] = (s[i] + rpo::ark1()[r][i]).pow(rpo::kAlpha);
    mds(s);
    for (std::size_t i = 0; i < 12; ++i) s[i] = (s[i] + rpo::ark2()[r][i]).pow(rpo::kInvAlpha);
  }
}

// The MDS matrix inverted by Gauss-Jordan elimination, to construct states that reach chosen
// values inside the first round.
std::array<std::array<Felt, 12>, 12> inverse_mds() {
  std::array<std::array<Felt, 24>, 12> m{};
  for (std::size_t i = 0; i < 12; ++i) {
    for (std::size_t j = 0; j < 12; ++j) m[i][j] = Felt(rpo::mds_row()[(j + 12 - i) % 12]);
    m[i][12 + i] = Felt::one();
  }
  for (std::size_t c = 0; c < 12; ++c) {
    std::size_t pivot = c;
    while (m[pivot][c] == Felt::zero()) ++pivot;
    std::swap(m[c], m[pivot]);
    Felt inv = m[c][c].inverse();
    for (auto& e : m[c]) e *= inv;
    for (std::size_t r = 0; r < 12; ++r) {
      if (r == c || m[r][c] == Felt::zero()) continue;
      Felt f = m[r][c];
      for (std::size_t k = 0; k < 24; ++k) m[r][k] -= f * m[c][k];
    }
  }
  std::array<std::array<Felt, 12>, 12> out;
  for (std::size_t i = 0; i < 12; ++i)
    for (std::size_t j = 0; j < 12; ++j) out[i][j] = m[i][12 + j];
  return out;
}

State mat_vec(const std::array<std::array<Felt, 12>, 12>& m, const State& s) {
  State out{};
  for (std::size_t i = 0; i < 12; ++i)
    for (std::size_t j = 0; j < 12; ++j) out[i] += m[i][j] * s[j];
  return out;
}

}  // namespace

TEST_CASE("rpo round constants come from SHAKE256 as in Miden", "[rpo]") {
  REQUIRE(rpo::ark1()[0][0].value() == 5789762306288267392ULL);
  REQUIRE(rpo::ark1()[0][11].value() == 16657542370200465908ULL);
  REQUIRE(rpo::ark1()[1][0].value() == 12987190162843096997ULL);
  REQUIRE(rpo::ark1()[6][11].value() == 17036731477169661256ULL);
  REQUIRE(rpo::ark2()[0][0].value() == 6077062762357204287ULL);
  REQUIRE(rpo::ark2()[3][7].value() == 525402848358706231ULL);
  REQUIRE(rpo::ark2()[6][11].value() == 18256379591337759196ULL);
  const std::array<std::uint64_t, 12> row{7, 23, 8, 26, 13, 10, 9, 7, 6, 22, 21, 8};
  REQUIRE(rpo::mds_row() == row);
}

TEST_CASE("rpo s-boxes are x^7 and its inverse", "[rpo]") {
  std::mt19937_64 rng(Catch::rngSeed());
  std::vector<Felt> xs{Felt(0), Felt(1), Felt(2), Felt(Felt::kModulus - 1), Felt(Felt::kEpsilon)};
  for (int i = 0; i < 200; ++i) xs.push_back(random_felt(rng));
  for (Felt x : xs) {
    INFO("x = " << x.value());
    REQUIRE(rpo::pow7(x) == x.pow(7));
    REQUIRE(rpo::inv_pow7(x) == x.pow(rpo::kInvAlpha));
    REQUIRE(rpo::pow7(rpo::inv_pow7(x)) == x);
  }
}

TEST_CASE("rpo mds and permutation match the plain definition", "[rpo]") {
  std::mt19937_64 rng(Catch::rngSeed());
  for (int t = 0; t < 50; ++t) {
    State s;
    for (auto& e : s) e = t == 0 ? Felt(Felt::kModulus - 1) : random_felt(rng);
    State fast = s, slow = s;
    rpo::apply_mds(fast);
    for (std::size_t i = 0; i < 12; ++i) {
      Felt acc;
      for (std::size_t j = 0; j < 12; ++j) acc += Felt(rpo::mds_row()[(j + 12 - i) % 12]) * s[j];
      REQUIRE(fast[i] == acc);
    }
    fast = s;
    rpo::permute(fast);
    reference_permute(slow);
    REQUIRE(fast == slow);
    // Round by round, as the AIR's trace records it, it is the same permutation.
    State rounds = s;
    for (std::size_t r = 0; r < rpo::kRounds; ++r) rpo::apply_round(rounds, r);
    REQUIRE(rounds == slow);
  }
}

TEST_CASE("rpo hash_elements matches Miden's published vectors", "[rpo]") {
  std::ifstream in(test_data_dir() + "/rpo_vectors.txt");
  REQUIRE(in.good());
  std::vector<Felt> input;
  std::string line;
  std::size_t count = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    Digest expected;
    for (auto& e : expected) {
      std::uint64_t v = 0;
      REQUIRE(fields >> v);
      e = Felt(v);
    }
    // Vector i hashes the i + 1 elements 0, 1, ..., i.
    input.push_back(Felt(count));
    INFO("vector " << count);
    REQUIRE(rpo::hash_elements(input) == expected);
    ++count;
  }
  REQUIRE(count == 19);
}

TEST_CASE("rpo sponge edge cases", "[rpo]") {
  std::mt19937_64 rng(Catch::rngSeed());
  REQUIRE(rpo::hash_elements({}) == Digest{});

  Digest a, b;
  for (auto& e : a) e = random_felt(rng);
  for (auto& e : b) e = random_felt(rng);
  std::vector<Felt> joined(a.begin(), a.end());
  joined.insert(joined.end(), b.begin(), b.end());
  REQUIRE(rpo::merge(a, b) == rpo::hash_elements(joined));
  REQUIRE(rpo::merge(a, b) != rpo::merge(b, a));

  // Zero padding alone would collide; the length in state[0] keeps these apart.
  std::vector<Felt> two{random_felt(rng), random_felt(rng)};
  std::vector<Felt> three{two[0], two[1], Felt(0)};
  REQUIRE(rpo::hash_elements(two) != rpo::hash_elements(three));

  // Ten elements: one full block, then a padded one, done by hand.
  std::vector<Felt> ten;
  for (int i = 0; i < 10; ++i) ten.push_back(random_felt(rng));
  State s{};
  s[0] = Felt(2);
  for (std::size_t i = 0; i < 8; ++i) s[4 + i] = ten[i];
  rpo::permute(s);
  s[4] = ten[8];
  s[5] = ten[9];
  for (std::size_t i = 6; i < 12; ++i) s[i] = Felt(0);
  rpo::permute(s);
  REQUIRE(rpo::hash_elements(ten) == Digest{s[4], s[5], s[6], s[7]});
}

TEST_CASE("rpo hash_elements_many equals hash_elements input by input", "[rpo]") {
  // Lengths 0 to 20 (empty, partial and whole chunks, up to three permutations), more inputs
  // than one batch of eight lanes, in an order that makes the batches ragged.
  std::vector<std::vector<Felt>> inputs;
  for (std::size_t round = 0; round < 2; ++round)
    for (std::size_t len = 0; len <= 20; ++len) {
      std::vector<Felt> in;
      for (std::size_t i = 0; i < len; ++i) in.push_back(Felt(1000 * round + 31 * len + i));
      inputs.push_back(std::move(in));
    }
  const auto digests = rpo::hash_elements_many(inputs);
  REQUIRE(digests.size() == inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) CHECK(digests[i] == rpo::hash_elements(inputs[i]));
  CHECK(rpo::hash_elements_many({}).empty());
  // Runs of inputs with a common first chunk share its permutation and still part where they
  // differ; the runs are broken up (t = 7 is shorter) and revisited (t % 3).
  std::vector<std::vector<Felt>> alike;
  for (std::uint64_t t = 0; t < 11; ++t) {
    std::vector<Felt> in(19, Felt(5));
    in[18] = Felt(t % 3);
    if (t == 7) in.pop_back();
    alike.push_back(in);
  }
  const auto alike_digests = rpo::hash_elements_many(alike);
  for (std::size_t i = 0; i < alike.size(); ++i) CHECK(alike_digests[i] == rpo::hash_elements(alike[i]));
}

TEST_CASE("rpo digest bytes round-trip and reject non-canonical elements", "[rpo]") {
  Digest d{Felt(1), Felt(0x0102030405060708ULL), Felt(Felt::kModulus - 1), Felt(0)};
  auto bytes = rpo::digest_bytes(d);
  REQUIRE(bytes[0] == 1);
  REQUIRE(bytes[8] == 0x08);
  REQUIRE(bytes[15] == 0x01);
  auto back = rpo::digest_from_bytes(bytes);
  REQUIRE(back.has_value());
  REQUIRE(*back == d);

  auto bad = bytes;
  for (std::size_t i = 16; i < 24; ++i) bad[i] = 0xFF;  // 2^64 - 1 >= p
  REQUIRE_FALSE(rpo::digest_from_bytes(bad).has_value());
  std::uint64_t p = Felt::kModulus;
  for (std::size_t i = 0; i < 8; ++i) bad[16 + i] = static_cast<std::uint8_t>(p >> (8 * i));
  REQUIRE_FALSE(rpo::digest_from_bytes(bad).has_value());
}

TEST_CASE("rpo empty depth-32 tree root matches the docs/design.md check value", "[rpo]") {
  Digest node{};
  for (int level = 0; level < 32; ++level) node = rpo::merge(node, node);
  REQUIRE(rollup::to_hex(rpo::digest_bytes(node)) ==
          "0x186463f2bcb20fa220a85b08a59689dcd436c9dfcd499b3415f8fe0b1d6c811d");
}

TEST_CASE("rpo kernel sets agree on single states and batches", "[rpo]") {
  std::mt19937_64 rng(Catch::rngSeed());
  auto names = rpo::detail::backends();
  REQUIRE(names.back() == "portable");
  REQUIRE(names.front() == rpo::backend());
  for (std::size_t count : {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 21}) {
    std::vector<State> states(count);
    for (auto& s : states)
      for (auto& e : s) e = random_felt(rng);
    if (count > 0) states[0].fill(Felt(Felt::kModulus - 1));  // largest lanes everywhere
    std::vector<Digest> children(2 * count), expected(count);
    for (auto& d : children)
      for (auto& e : d) e = random_felt(rng);
    for (std::size_t i = 0; i < count; ++i)
      expected[i] = rpo::merge(children[2 * i], children[2 * i + 1]);
    auto reference = states;
    for (auto& s : reference) reference_permute(s);
    for (auto name : names) {
      INFO("kernels " << name << ", " << count << " states");
      auto got = states;
      rpo::detail::permute_many(name, got);
      REQUIRE(got == reference);
      std::vector<Digest> parents(count);
      rpo::detail::merge_pairs(name, children, parents);
      REQUIRE(parents == expected);
      // Round by round, the batch follows apply_round state by state.
      auto by_rounds = states, one_by_one = states;
      for (std::size_t r = 0; r < rpo::kRounds; ++r) {
        rpo::detail::apply_round_many(name, by_rounds, r);
        for (auto& s : one_by_one) rpo::apply_round(s, r);
        REQUIRE(by_rounds == one_by_one);
      }
      REQUIRE(by_rounds == reference);
    }
    auto got = states;
    rpo::permute_many(got);
    REQUIRE(got == reference);
  }
  std::vector<Digest> odd(3), parents(1);
  REQUIRE_THROWS_AS(rpo::merge_pairs(odd, parents), std::invalid_argument);
  REQUIRE_THROWS_AS(rpo::detail::permute_many("no-such-kernels", {}), std::invalid_argument);
}

TEST_CASE("rpo kernels handle the rare borrow in the reduction", "[rpo]") {
  // Squaring 2^48 gives 2^96: low word 0, high word 2^32, the one case where the reduction's
  // first subtraction borrows and the SIMD kernels take their rarely used branch or select.
  const std::uint64_t p = Felt::kModulus;
  const State targets{Felt(1ULL << 48), Felt((1ULL << 48) + 5),
                      Felt(1ULL << 56), Felt(3ULL << 48),
                      Felt(0),          Felt(1),
                      Felt(p - 1),      Felt(1ULL << 32),
                      Felt(1ULL << 48), Felt(1ULL << 63),
                      Felt(1ULL << 40), Felt(7)};
  auto inv = inverse_mds();
  // A state whose first S-box input is `targets`, and one whose first inverse S-box input is.
  State at_sbox, at_inv_sbox, w, z;
  for (std::size_t i = 0; i < 12; ++i) w[i] = targets[i] - rpo::ark1()[0][i];
  at_sbox = mat_vec(inv, w);
  for (std::size_t i = 0; i < 12; ++i) z[i] = targets[i] - rpo::ark2()[0][i];
  z = mat_vec(inv, z);
  for (std::size_t i = 0; i < 12; ++i) w[i] = rpo::inv_pow7(z[i]) - rpo::ark1()[0][i];
  at_inv_sbox = mat_vec(inv, w);

  State check = at_sbox;
  rpo::apply_mds(check);
  for (std::size_t i = 0; i < 12; ++i) REQUIRE(check[i] + rpo::ark1()[0][i] == targets[i]);

  std::vector<State> states{at_sbox, at_inv_sbox};
  for (int copies = 0; copies < 4; ++copies) states.insert(states.end(), {at_sbox, at_inv_sbox});
  auto reference = states;
  for (auto& s : reference) reference_permute(s);
  for (auto name : rpo::detail::backends()) {
    INFO("kernels " << name);
    for (std::size_t n : {std::size_t{1}, states.size()}) {
      std::vector<State> got(states.begin(), states.begin() + n);
      rpo::detail::permute_many(name, got);
      for (std::size_t i = 0; i < n; ++i) REQUIRE(got[i] == reference[i]);
    }
  }
  REQUIRE(rpo::pow7(Felt(1ULL << 48)) == Felt(1ULL << 48).pow(7));
  REQUIRE(rpo::inv_pow7(Felt(1ULL << 48)) == Felt(1ULL << 48).pow(rpo::kInvAlpha));
}
