// Malicious provers: every proof here is wrong in one way, and the verifier must reject it with
// a verdict (never accept, never crash): verify_detailed's typed reason, and the same through
// verify as Errc::rejected. Run this file under -DROLLUP_SANITIZE=ON too.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "stark/fibonacci_air.hpp"
#include "stark/prover.hpp"
#include "stark/rpo_air.hpp"
#include "stark/verifier.hpp"

using namespace rollup;
using namespace rollup::stark;

namespace {

constexpr std::size_t kFibRows = 128;

// Small remainder so that the proofs have FRI layers to attack (128 -> 32 -> 8 -> 2).
ProofOptions layered_options() {
  ProofOptions o;
  o.max_remainder_size = 2;
  return o;
}

FibonacciAir fib_air(std::size_t n = kFibRows) {
  return FibonacciAir(n, FibonacciAir::expected_result(n));
}

Bytes honest_fib_proof(const ProofOptions& opts = layered_options()) {
  auto proof = prove(fib_air(), FibonacciAir::build_trace(kFibRows), opts);
  REQUIRE(proof);
  return *serialize(*proof);
}

RpoChainAir::State sample_state(std::uint64_t seed) {
  RpoChainAir::State s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = Felt(seed * 0x9E3779B97F4A7C15ULL + i);
  return s;
}

// The typed reason the proof is rejected for. verify() must agree: Errc::rejected with the
// rejection's message.
Rejection rejection(const Air& air, std::span<const std::uint8_t> bytes,
                    const VerifyOptions& options = {}) {
  auto r = verify_detailed(air, bytes, options);
  REQUIRE(!r);
  INFO(rejection_name(r.error().reason) << ": " << r.error().detail);
  REQUIRE(rejection_errc(r.error().reason) == Errc::rejected);
  auto as_result = verify(air, bytes, options);
  REQUIRE(!as_result);
  CHECK(as_result.error().code == Errc::rejected);
  CHECK(as_result.error().message == r.error().message());
  return r.error().reason;
}

void require_rejected(const Air& air, std::span<const std::uint8_t> bytes,
                      const VerifyOptions& options = {}) {
  rejection(air, bytes, options);
}

VerifyOptions min_bits(unsigned bits) {
  VerifyOptions o;
  o.min_security_bits = bits;
  return o;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A prover that skips its checks is caught at the out-of-domain point: the composition it had
// to truncate to its degree bound no longer agrees with the constraints at z.
constexpr Rejection kCaughtAtZ = Rejection::ood_mismatch;

void put_u64(Bytes& b, std::size_t at, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t get_u64(const Bytes& b, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t(b[at + i]) << (8 * i);
  return v;
}

bool is_fri_rejection(Rejection why) {
  return why == Rejection::deep_mismatch || why == Rejection::fri_fold_mismatch ||
         why == Rejection::fri_remainder_mismatch;
}

std::size_t section_offset(const ProofParams& params, const std::string& name) {
  for (const auto& [n, off] : proof_sections(params))
    if (n == name) return off;
  FAIL("no section " << name);
  return 0;
}

}  // namespace

TEST_CASE("malicious: tampered trace cell", "[stark][malicious]") {
  ProverFaults faults;
  faults.skip_checks = true;
  SECTION("fibonacci, a middle cell") {
    auto trace = FibonacciAir::build_trace(kFibRows);
    trace.at(1, 57) += Felt::one();
    auto honest = prove(fib_air(), trace, layered_options());
    REQUIRE(!honest);
    CHECK(honest.error().code == Errc::bad_input);
    CHECK(contains(honest.error().message, "between rows 56 and 57"));
    auto proof = prove_with_faults(fib_air(), trace, layered_options(), 2, faults);
    REQUIRE(proof);
    CHECK(rejection(fib_air(), *serialize(*proof)) == kCaughtAtZ);
  }
  SECTION("fibonacci, the first row (boundary)") {
    auto trace = FibonacciAir::build_trace(kFibRows);
    trace.at(0, 0) = Felt(2);
    REQUIRE(!prove(fib_air(), trace, layered_options()));
    auto proof = prove_with_faults(fib_air(), trace, layered_options(), 2, faults);
    CHECK(rejection(fib_air(), *serialize(*proof)) == kCaughtAtZ);
  }
  SECTION("fibonacci, the last row only (transition and result boundary)") {
    auto trace = FibonacciAir::build_trace(kFibRows);
    trace.at(1, kFibRows - 1) += Felt(5);
    auto proof = prove_with_faults(fib_air(), trace, layered_options(), 2, faults);
    CHECK(rejection(fib_air(), *serialize(*proof)) == kCaughtAtZ);
  }
  SECTION("rpo chain, one state cell inside a permutation") {
    const auto input = sample_state(3);
    const std::size_t m = 4;
    RpoChainAir air(m, input, RpoChainAir::chain_output(m, input));
    auto trace = RpoChainAir::build_trace(m, input);
    trace.at(5, 13) += Felt::one();
    REQUIRE(!prove(air, trace, layered_options()));
    auto proof = prove_with_faults(air, trace, layered_options(), 2, faults);
    REQUIRE(proof);
    CHECK(rejection(air, *serialize(*proof)) == kCaughtAtZ);
  }
  SECTION("rpo chain, a broken link between two permutations") {
    const auto input = sample_state(4);
    const std::size_t m = 4;
    auto trace = RpoChainAir::build_trace(m, input);
    // Restart the chain at block 2 from a different state and claim the resulting output.
    RpoChainAir::State restart = sample_state(99);
    auto tail = RpoChainAir::build_trace(2, restart);
    for (std::size_t r = 0; r < tail.length(); ++r)
      for (std::size_t c = 0; c < 12; ++c) trace.at(c, 16 + r) = tail.at(c, r);
    RpoChainAir::State claimed{};
    for (std::size_t c = 0; c < 12; ++c) claimed[c] = trace.at(c, trace.length() - 1);
    RpoChainAir air(m, input, claimed);
    auto honest = prove(air, trace, layered_options());
    REQUIRE(!honest);
    CHECK(contains(honest.error().message, "between rows 15 and 16"));
    auto proof = prove_with_faults(air, trace, layered_options(), 2, faults);
    CHECK(rejection(air, *serialize(*proof)) == kCaughtAtZ);
  }
}

TEST_CASE("malicious: wrong public input", "[stark][malicious]") {
  SECTION("fibonacci: claimed result differs from the trace") {
    const Felt wrong = FibonacciAir::expected_result(kFibRows) + Felt::one();
    FibonacciAir lying(kFibRows, wrong);
    const auto trace = FibonacciAir::build_trace(kFibRows);
    auto honest = prove(lying, trace, layered_options());
    REQUIRE(!honest);
    CHECK(contains(honest.error().message, "boundary"));
    ProverFaults faults;
    faults.skip_checks = true;
    auto proof = prove_with_faults(lying, trace, layered_options(), 2, faults);
    REQUIRE(proof);
    CHECK(rejection(lying, *serialize(*proof)) == kCaughtAtZ);
  }
  SECTION("rpo chain: claimed output is not RPO^m(input)") {
    const auto input = sample_state(5);
    auto output = RpoChainAir::chain_output(2, input);
    output[4] += Felt::one();
    RpoChainAir lying(2, input, output);
    ProverFaults faults;
    faults.skip_checks = true;
    auto proof =
        prove_with_faults(lying, RpoChainAir::build_trace(2, input), layered_options(), 2, faults);
    REQUIRE(proof);
    CHECK(rejection(lying, *serialize(*proof)) == kCaughtAtZ);
  }
}

TEST_CASE("malicious: a proof for one public input submitted with another", "[stark][malicious]") {
  const Bytes bytes = honest_fib_proof();
  REQUIRE(verify(fib_air(), bytes));
  SECTION("another result") {
    // The public inputs are in the transcript: z moves, and the frame no longer fits.
    FibonacciAir other(kFibRows, FibonacciAir::expected_result(kFibRows) + Felt(1));
    CHECK(rejection(other, bytes) == Rejection::ood_mismatch);
    // Even the true result of another length does not help.
    FibonacciAir shifted(kFibRows, FibonacciAir::expected_result(kFibRows / 2));
    CHECK(rejection(shifted, bytes) == Rejection::ood_mismatch);
  }
  SECTION("another trace length") {
    CHECK(rejection(fib_air(2 * kFibRows), bytes) == Rejection::air_mismatch);
    CHECK(rejection(fib_air(kFibRows / 2), bytes) == Rejection::air_mismatch);
  }
  SECTION("another AIR") {
    const auto input = sample_state(6);
    RpoChainAir rpo(kFibRows / 8, input, RpoChainAir::chain_output(kFibRows / 8, input));
    CHECK(rejection(rpo, bytes) == Rejection::air_mismatch);
  }
  SECTION("rpo chain: another input with its true output") {
    const auto a = sample_state(7), b = sample_state(8);
    RpoChainAir air_a(2, a, RpoChainAir::chain_output(2, a));
    RpoChainAir air_b(2, b, RpoChainAir::chain_output(2, b));
    auto proof = prove(air_a, RpoChainAir::build_trace(2, a), layered_options());
    REQUIRE(proof);
    auto pb = *serialize(*proof);
    REQUIRE(verify(air_a, pb));
    CHECK(rejection(air_b, pb) == Rejection::ood_mismatch);
    // Same input, output of a shorter chain.
    RpoChainAir shorter(2, a, RpoChainAir::chain_output(1, a));
    CHECK(rejection(shorter, pb) == Rejection::ood_mismatch);
  }
}

TEST_CASE("malicious: bit flips in every section of the proof", "[stark][malicious]") {
  const Bytes bytes = honest_fib_proof();
  const auto params = deserialize(bytes)->params;
  const auto sections = proof_sections(params);
  const auto air = fib_air();
  std::size_t flips = 0;
  for (std::size_t s = 0; s < sections.size(); ++s) {
    const std::size_t begin = sections[s].second;
    const std::size_t end = s + 1 < sections.size() ? sections[s + 1].second : bytes.size();
    // Every byte of the small sections and of the first and last query; a stride elsewhere.
    const bool dense = end - begin <= 512 || s == 7 || s + 1 == sections.size();
    const std::size_t stride = dense ? 1 : 13;
    for (std::size_t at = begin; at < end; at += stride) {
      Bytes flipped = bytes;
      flipped[at] ^= static_cast<std::uint8_t>(1u << ((at * 5 + s) % 8));
      INFO("section " << sections[s].first << " byte " << at);
      require_rejected(air, flipped);
      ++flips;
    }
  }
  CHECK(flips > 2000);
}

TEST_CASE("malicious: truncated proofs and trailing bytes", "[stark][malicious]") {
  const Bytes bytes = honest_fib_proof();
  const auto air = fib_air();
  SECTION("every truncation") {
    for (std::size_t len = 0; len < bytes.size(); ++len)
      CHECK(rejection(air, std::span(bytes.data(), len)) == Rejection::bad_encoding);
  }
  SECTION("trailing bytes") {
    for (std::size_t extra : {1u, 7u, 8u, 32u, 4096u}) {
      Bytes longer = bytes;
      longer.resize(bytes.size() + extra, 0);
      CHECK(rejection(air, longer) == Rejection::bad_encoding);
    }
  }
  SECTION("a whole query dropped, with the header relabelled to match") {
    // 28 queries at blowup 8 with 16 grinding bits still clear 100 bits, so only the transcript
    // binding of the parameters stops this.
    Bytes shorter(bytes.begin(),
                  bytes.end() - static_cast<std::ptrdiff_t>(
                                    proof_shape(deserialize(bytes)->params)->query_size));
    shorter[7] = static_cast<std::uint8_t>(shorter[7] - 1);
    CHECK(rejection(air, shorter) == Rejection::ood_mismatch);
  }
  SECTION("garbage of every small length and a plausible header") {
    std::mt19937_64 rng(Catch::rngSeed());
    for (std::size_t len = 0; len < 200; ++len) {
      Bytes junk(len);
      for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
      require_rejected(air, junk);
      if (len >= kProofHeaderSize) {
        std::copy_n(bytes.begin(), kProofHeaderSize, junk.begin());
        require_rejected(air, junk);
      }
    }
    Bytes junk = bytes;
    for (std::size_t i = kProofHeaderSize; i < junk.size(); ++i)
      junk[i] = static_cast<std::uint8_t>(rng());
    require_rejected(air, junk);
  }
}

TEST_CASE("malicious: parameters below the required security", "[stark][malicious]") {
  SECTION("fewer queries than required") {
    ProofOptions weak = layered_options();
    weak.num_queries = 20;
    weak.min_security_bits = 0;
    const Bytes bytes = honest_fib_proof(weak);
    CHECK(rejection(fib_air(), bytes) == Rejection::params_below_security);
    CHECK(proof_shape(deserialize(bytes)->params)->security_bits == 76);
    // A verifier configured to accept 76 bits takes it: the proof itself is sound.
    CHECK(verify_detailed(fib_air(), bytes, min_bits(76)));
    CHECK(rejection(fib_air(), bytes, min_bits(77)) == Rejection::params_below_security);
  }
  SECTION("no grinding") {
    ProofOptions weak = layered_options();
    weak.grinding_bits = 0;
    weak.min_security_bits = 0;
    const Bytes bytes = honest_fib_proof(weak);
    CHECK(rejection(fib_air(), bytes) == Rejection::params_below_security);
    CHECK(proof_shape(deserialize(bytes)->params)->security_bits == 87);
  }
  SECTION("a verifier demanding more than the proof gives") {
    const Bytes bytes = honest_fib_proof();
    CHECK(rejection(fib_air(), bytes, min_bits(110)) == Rejection::params_below_security);
    CHECK(verify_detailed(fib_air(), bytes, min_bits(103)));
  }
  SECTION("smaller blowup relabelled in the header") {
    Bytes bytes = honest_fib_proof();
    bytes[6] = 2;  // log2 blowup 3 -> 2: sizes no longer match, and security would drop
    CHECK(rejection(fib_air(), bytes) == Rejection::bad_encoding);
  }
}

TEST_CASE("malicious: queries traded for grinding are refused when the parameters are pinned",
          "[stark][malicious]") {
  // 25 queries at blowup 8 and 26 grinding bits estimate 25 * 3 + 26 = 101 bits, above the
  // default floor of 100: a verifier that reads the parameters from the proof accepts them.
  // This instance (Fibonacci, 64 rows, remainder <= 4) happens to have a small least 26-bit
  // nonce, so that the prover's grinding takes a fraction of a second.
  constexpr std::size_t n = 64;
  const FibonacciAir air = fib_air(n);
  const auto trace = FibonacciAir::build_trace(n);
  ProofOptions standard;
  standard.max_remainder_size = 4;
  ProofOptions traded = standard;
  traded.num_queries = 25;
  traded.grinding_bits = 26;
  auto proof = prove(air, trace, traded);
  REQUIRE(proof);
  CHECK(proof->pow_nonce < 200000);  // see above: if the protocol changes, pick another instance
  const Bytes bytes = *serialize(*proof);
  auto unpinned = verify_detailed(air, bytes, VerifyOptions{});
  REQUIRE(unpinned);
  CHECK(unpinned->security_bits == 101);

  const VerifyOptions pinned = VerifyOptions::pinned_to(standard);
  CHECK(rejection(air, bytes, pinned) == Rejection::params_not_pinned);
  // The pinned verifier takes the standard proof, and the traded one only when pinned to it.
  const Bytes honest = *serialize(*prove(air, trace, standard));
  CHECK(verify_detailed(air, honest, pinned));
  CHECK(verify_detailed(air, bytes, VerifyOptions::pinned_to(traded)));
  CHECK(rejection(air, honest, VerifyOptions::pinned_to(traded)) == Rejection::params_not_pinned);

  SECTION("one query fewer at the same grinding still clears 100 bits, and is refused") {
    ProofOptions fewer = standard;
    fewer.num_queries = 28;
    const Bytes b = *serialize(*prove(air, trace, fewer));
    CHECK(verify_detailed(air, b, VerifyOptions{}));
    CHECK(rejection(air, b, pinned) == Rejection::params_not_pinned);
  }
  SECTION("every pinned parameter is compared") {
    auto refused_when = [&](auto edit) {
      VerifyOptions other = pinned;
      edit(*other.pinned);
      return rejection(air, honest, other) == Rejection::params_not_pinned;
    };
    CHECK(refused_when([](PinnedParams& p) { p.blowup = 16; }));
    CHECK(refused_when([](PinnedParams& p) { p.num_queries = 30; }));
    CHECK(refused_when([](PinnedParams& p) { p.grinding_bits = 15; }));
    CHECK(refused_when([](PinnedParams& p) { p.folding_factor = 2; }));
    CHECK(refused_when([](PinnedParams& p) { p.max_remainder_size = 8; }));
  }
  SECTION("the security floor is checked first") {
    VerifyOptions strict = pinned;
    strict.min_security_bits = 110;
    CHECK(rejection(air, bytes, strict) == Rejection::params_below_security);
  }
}

TEST_CASE("malicious: wrong proof-of-work nonce", "[stark][malicious]") {
  const Bytes bytes = honest_fib_proof();
  const auto params = deserialize(bytes)->params;
  const std::size_t at = section_offset(params, "pow_nonce");
  const std::uint64_t nonce = get_u64(bytes, at);
  const std::uint64_t others[] = {nonce + 1, nonce - 1, 0, ~nonce,
                                  nonce ^ (std::uint64_t{1} << 40)};
  for (std::uint64_t other : others) {
    if (other == nonce) continue;
    Bytes b = bytes;
    put_u64(b, at, other);
    CHECK(rejection(fib_air(), b) == Rejection::pow_invalid);
  }
  // Skipping the grinding altogether: a zero nonce fails the 16-bit target (or, should it pass,
  // moves every query position).
  Bytes b = bytes;
  put_u64(b, at, 0x0123456789ABCDEFULL);
  CHECK(rejection(fib_air(), b) == Rejection::pow_invalid);
}

TEST_CASE("malicious: FRI layer computed from a different polynomial", "[stark][malicious]") {
  const auto shape = *proof_shape(deserialize(honest_fib_proof())->params);
  REQUIRE(shape.fri_layers == 3);
  for (int layer = 0; layer <= static_cast<int>(shape.fri_layers); ++layer) {
    ProverFaults faults;
    faults.fri_substitute_layer = layer;
    auto proof = prove_with_faults(fib_air(), FibonacciAir::build_trace(kFibRows),
                                   layered_options(), 2, faults);
    REQUIRE(proof);
    const Rejection why = rejection(fib_air(), *serialize(*proof));
    INFO("layer " << layer);
    if (layer == 0)
      CHECK(why == Rejection::deep_mismatch);
    else if (layer < static_cast<int>(shape.fri_layers))
      CHECK(why == Rejection::fri_fold_mismatch);
    else
      CHECK(why == Rejection::fri_remainder_mismatch);
  }
  SECTION("rpo chain") {
    const auto input = sample_state(9);
    RpoChainAir air(4, input, RpoChainAir::chain_output(4, input));
    ProverFaults faults;
    faults.fri_substitute_layer = 1;
    auto proof =
        prove_with_faults(air, RpoChainAir::build_trace(4, input), layered_options(), 2, faults);
    CHECK(rejection(air, *serialize(*proof)) == Rejection::fri_fold_mismatch);
  }
}

TEST_CASE("malicious: out-of-domain values altered", "[stark][malicious]") {
  SECTION("edited in the proof bytes") {
    const Bytes bytes = honest_fib_proof();
    const auto params = deserialize(bytes)->params;
    const std::size_t at = section_offset(params, "ood");
    const std::size_t count = 2 * params.trace_width + params.num_segments;
    for (std::size_t k = 0; k < 2 * count; ++k) {  // each base coordinate of each value
      Bytes b = bytes;
      put_u64(b, at + 8 * k, (get_u64(b, at + 8 * k) + 1) % Felt::kModulus);
      CHECK(rejection(fib_air(), b) == Rejection::ood_mismatch);
    }
  }
  SECTION("a consistent lie: the composition value patched to pass the OOD check") {
    ProverFaults faults;
    faults.alter_ood = true;
    auto proof = prove_with_faults(fib_air(), FibonacciAir::build_trace(kFibRows),
                                   layered_options(), 2, faults);
    REQUIRE(proof);
    // It gets past the out-of-domain check; DEEP is then no polynomial, which FRI catches.
    CHECK(is_fri_rejection(rejection(fib_air(), *serialize(*proof))));
  }
  SECTION("a consistent lie against the rpo chain") {
    const auto input = sample_state(10);
    RpoChainAir air(2, input, RpoChainAir::chain_output(2, input));
    ProverFaults faults;
    faults.alter_ood = true;
    auto proof =
        prove_with_faults(air, RpoChainAir::build_trace(2, input), layered_options(), 2, faults);
    CHECK(is_fri_rejection(rejection(air, *serialize(*proof))));
  }
  SECTION("non-canonical field element encodings") {
    const Bytes bytes = honest_fib_proof();
    const auto params = deserialize(bytes)->params;
    const std::size_t at = section_offset(params, "ood");
    Bytes b = bytes;
    // Same residue, non-canonical form: x + p, only possible when x < 2^32 - 1.
    put_u64(b, at, Felt::kModulus);
    CHECK(rejection(fib_air(), b) == Rejection::bad_encoding);
  }
}

TEST_CASE("malicious: openings shuffled or swapped between proofs", "[stark][malicious]") {
  const Bytes bytes = honest_fib_proof();
  auto proof = *deserialize(bytes);
  SECTION("queries reordered") {
    Proof p = proof;
    std::swap(p.queries[0], p.queries[1]);
    CHECK(rejection(fib_air(), *serialize(p)) == Rejection::trace_root_mismatch);
  }
  SECTION("a trace row replaced by its neighbour's in the LDE") {
    Proof p = proof;
    p.queries[3].trace_row = p.queries[4].trace_row;
    CHECK(rejection(fib_air(), *serialize(p)) == Rejection::trace_root_mismatch);
  }
  SECTION("commitments from another honest proof") {
    FibonacciAir other(kFibRows, FibonacciAir::expected_result(kFibRows));
    ProofOptions o = layered_options();
    o.num_queries = 30;  // a different transcript, hence different openings
    auto q = *prove(other, FibonacciAir::build_trace(kFibRows), o);
    // Same trace, same trace commitment; everything after it depends on the transcript.
    REQUIRE(q.trace_root == proof.trace_root);
    Proof p = proof;
    p.composition_root = q.composition_root;
    CHECK(rejection(fib_air(), *serialize(p)) == Rejection::ood_mismatch);
    p = proof;
    p.ood_current = q.ood_current;
    p.ood_next = q.ood_next;
    p.ood_composition = q.ood_composition;
    CHECK(rejection(fib_air(), *serialize(p)) == Rejection::ood_mismatch);
    // A later commitment moves the grinding target and the query positions.
    p = proof;
    p.fri_roots[1] = q.fri_roots[1];
    CHECK(rejection(fib_air(), *serialize(p)) == Rejection::pow_invalid);
    p = proof;
    p.fri_remainder = q.fri_remainder;
    CHECK(rejection(fib_air(), *serialize(p)) == Rejection::pow_invalid);
  }
}

TEST_CASE("malicious: random multi-byte corruption", "[stark][malicious]") {
  std::mt19937_64 rng(Catch::rngSeed() + 17);
  SECTION("fibonacci") {
    const Bytes bytes = honest_fib_proof();
    for (int round = 0; round < 300; ++round) {
      Bytes b = bytes;
      const int edits = 1 + static_cast<int>(rng() % 8);
      for (int e = 0; e < edits; ++e)
        b[rng() % b.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
      require_rejected(fib_air(), b);
    }
  }
  SECTION("rpo chain, a strided bit sweep over a wide-row proof") {
    const auto input = sample_state(11);
    RpoChainAir air(2, input, RpoChainAir::chain_output(2, input));
    auto proof = prove(air, RpoChainAir::build_trace(2, input), layered_options());
    REQUIRE(proof);
    const Bytes bytes = *serialize(*proof);
    REQUIRE(verify(air, bytes));
    for (std::size_t at = 0; at < bytes.size(); at += 41) {
      Bytes b = bytes;
      b[at] ^= static_cast<std::uint8_t>(1u << (at % 8));
      INFO("byte " << at);
      require_rejected(air, b);
    }
  }
}
