// Honest STARK proofs of the example AIRs, parameters and encoding. The malicious provers are in
// stark_malicious_test.cpp.
#include <catch2/catch.hpp>
#include <set>
#include <string_view>

#include "core/memory.hpp"
#include "field/packed.hpp"
#include "stark/fibonacci_air.hpp"
#include "stark/prover.hpp"
#include "stark/rpo_air.hpp"
#include "stark/verifier.hpp"
#include "air_wrappers.hpp"

using namespace rollup;
using namespace rollup::stark;

namespace {

RpoChainAir::State sample_state(std::uint64_t seed) {
  RpoChainAir::State s{};
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = Felt(seed * 1000003 + i * 7919);
  return s;
}

// An RPO chain (twelve constraints of degree 8, the head) beside a Fibonacci pair (two of
// degree 1, the rest): the prover evaluates the rest on one sub-coset of the constraint domain
// instead of seven. The chain's constraints come first (a head that is a prefix) or after the
// pair's (a head that is not).
class ChainAndFibonacciAir : public TypedAir<ChainAndFibonacciAir> {
 public:
  static constexpr std::size_t kFib = RpoChainAir::kWidth;  // the pair's first column
  ChainAndFibonacciAir(std::size_t permutations, const RpoChainAir::State& input, bool chain_first)
      : rpo_(permutations, input, RpoChainAir::chain_output(permutations, input)),
        chain_at_(chain_first ? 0 : 2), fib_at_(chain_first ? kFib : 0) {}

  static Trace build_trace(std::size_t permutations, const RpoChainAir::State& input) {
    const Trace chain = RpoChainAir::build_trace(permutations, input);
    Trace trace(kFib + 2, chain.length());
    for (std::size_t c = 0; c < kFib; ++c)
      for (std::size_t r = 0; r < chain.length(); ++r) trace.at(c, r) = chain.at(c, r);
    trace.at(kFib, 0) = trace.at(kFib + 1, 0) = Felt::one();
    for (std::size_t r = 1; r < chain.length(); ++r) {
      trace.at(kFib, r) = trace.at(kFib + 1, r - 1);
      trace.at(kFib + 1, r) = trace.at(kFib, r - 1) + trace.at(kFib + 1, r - 1);
    }
    return trace;
  }

  std::string id() const override { return "test/chain-and-fibonacci/v1"; }
  std::size_t trace_width() const override { return kFib + 2; }
  std::size_t trace_length() const override { return rpo_.trace_length(); }
  Bytes public_inputs() const override { return rpo_.public_inputs(); }
  std::vector<unsigned> transition_degrees() const override {
    std::vector<unsigned> degrees(kFib + 2, 1);
    for (std::size_t k : head_constraints()) degrees[k] = 8;
    return degrees;
  }
  std::vector<std::vector<Felt>> periodic_columns() const override { return rpo_.periodic_columns(); }
  std::vector<BoundaryConstraint> boundary_constraints() const override {
    auto out = rpo_.boundary_constraints();
    out.push_back({kFib, 0, Felt::one()});
    out.push_back({kFib + 1, 0, Felt::one()});
    return out;
  }
  std::vector<std::size_t> head_constraints() const override {
    std::vector<std::size_t> head(RpoChainAir::kWidth);
    for (std::size_t k = 0; k < head.size(); ++k) head[k] = chain_at_ + k;
    return head;
  }

  template <class F>
  void evaluate_head(std::span<const F> cur, std::span<const F> next, std::span<const F> periodic,
                     std::span<F> out) const {
    rpo_.evaluate<F>(cur.first(kFib), next.first(kFib), periodic, out.first(kFib));
  }
  template <class F>
  void evaluate(std::span<const F> cur, std::span<const F> next, std::span<const F> periodic,
                std::span<F> out) const {
    evaluate_head<F>(cur, next, periodic, out.subspan(chain_at_, kFib));
    out[fib_at_] = next[kFib] - cur[kFib + 1];
    out[fib_at_ + 1] = next[kFib + 1] - cur[kFib] - cur[kFib + 1];
  }

 private:
  RpoChainAir rpo_;
  std::size_t chain_at_, fib_at_;  // where each part's constraints start
};

}  // namespace

TEST_CASE("the head split evaluates the constraints apart, never changing the proof", "[stark]") {
  const auto input = sample_state(5);
  const bool chain_first = GENERATE(true, false);
  INFO((chain_first ? "a head that is a prefix" : "a head after the rest"));
  ChainAndFibonacciAir air(8, input, chain_first);
  const test::WithoutHead unsplit(air);
  const Trace trace = ChainAndFibonacciAir::build_trace(8, input);
  for (unsigned threads : {1u, 2u}) {
    const auto split_proof = prove(air, trace, {}, threads);
    INFO((split_proof ? std::string() : split_proof.error().message));
    REQUIRE(split_proof);
    const auto whole_proof = prove(unsplit, trace, {}, threads);
    REQUIRE(whole_proof);
    const auto bytes = serialize(*split_proof);
    REQUIRE(bytes);
    CHECK(*bytes == *serialize(*whole_proof));
    CHECK(verify(air, *bytes));
  }
  // A broken rest (a Fibonacci cell) or head (a chain cell) is caught by the split prover too.
  for (std::size_t column : {ChainAndFibonacciAir::kFib + 1, std::size_t{3}}) {
    INFO("column " << column);
    Trace bad = trace;
    bad.at(column, 20) += Felt::one();
    const auto refused = prove(air, bad, {}, 2);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Matchers::Contains("between rows 19 and 20"));
  }
}

TEST_CASE("conjectured security follows the ethSTARK formula", "[stark]") {
  // 29 queries at blowup 8 give 87 bits, plus 16 of grinding.
  CHECK(conjectured_security_bits(3, 29, 16, 23) == 103);
  // The extension field caps it at 128 - log2(LDE domain).
  CHECK(conjectured_security_bits(3, 29, 16, 26) == 102);
  CHECK(conjectured_security_bits(3, 20, 16, 20) == 76);
  CHECK(conjectured_security_bits(4, 60, 20, 10) == 118);
  CHECK(conjectured_security_bits(6, 255, 32, 10) == 118);
  CHECK(conjectured_security_bits(6, 255, 32, 3) == 125);
  CHECK(conjectured_security_bits(6, 255, 32, 0) == 128);  // hash collisions cap the rest
}

TEST_CASE("fibonacci: honest proofs verify across sizes and FRI depths", "[stark]") {
  for (std::size_t n : {8u, 64u, 512u}) {
    for (unsigned remainder : {1u, 4u, 64u}) {
      ProofOptions opts;
      opts.max_remainder_size = remainder;
      FibonacciAir air(n, FibonacciAir::expected_result(n));
      for (unsigned threads : {1u, 2u}) {
        auto proof = prove(air, FibonacciAir::build_trace(n), opts, threads);
        REQUIRE(proof);
        auto bytes = serialize(*proof);
        REQUIRE(bytes);
        auto shape = proof_shape(proof->params);
        REQUIRE(shape);
        CHECK(bytes->size() == shape->encoded_size);
        auto report = verify(air, *bytes);
        INFO("n=" << n << " remainder=" << remainder << ": "
                  << (report ? "" : report.error().message));
        REQUIRE(report);
        CHECK(report->security_bits == shape->security_bits);
        CHECK(report->security_bits >= 100);
        CHECK(report->air_id == "rollup/fibonacci/v1");
        CHECK(report->proof_size == bytes->size());
      }
    }
  }
}

TEST_CASE("the prover reads no memory it has not written: junk in reused huge pages changes no byte", "[stark]") {
  // HugeVector::resize(n) does not zero, and RetainHugePages hands freed memory back as it was:
  // fill what the prover will be given with junk first, and the proof must still be the same.
  // 2^18 rows make every coset column 2 MiB, so that they come from huge mappings.
  const std::size_t n = std::size_t{1} << 18;
  FibonacciAir air(n, FibonacciAir::expected_result(n));
  const Trace trace = FibonacciAir::build_trace(n);
  for (std::size_t cache : {kAutoLdeCache, std::size_t{0}}) {
    ProofOptions opts;
    opts.lde_cache_bytes = cache;
    auto clean = prove(air, trace, opts, 2);
    REQUIRE(clean);
    const RetainHugePages retain;
    {
      std::vector<HugeVector<Felt>> junk(6);
      for (auto& column : junk) column.assign(std::size_t{1} << 22, Felt(0xdeadbeefcafef00dULL));  // 32 MiB each
    }
#if defined(__linux__)
    REQUIRE(retained_huge_bytes() >= std::size_t{6} << 25);
#endif
    auto dirty = prove(air, trace, opts, 2);
    REQUIRE(dirty);
    CHECK(*serialize(*dirty) == *serialize(*clean));
  }
}

TEST_CASE("fibonacci: the prover is deterministic and thread-count independent", "[stark]") {
  const std::size_t n = 1024;
  FibonacciAir air(n, FibonacciAir::expected_result(n));
  auto a = prove(air, FibonacciAir::build_trace(n), {}, 1);
  auto b = prove(air, FibonacciAir::build_trace(n), {}, 2);
  auto c = prove(air, FibonacciAir::build_trace(n), {}, 3);
  REQUIRE((a && b && c));
  CHECK(*serialize(*a) == *serialize(*b));
  CHECK(*serialize(*a) == *serialize(*c));
}

TEST_CASE("rpo chain: the trace follows hash::permute and honest proofs verify", "[stark]") {
  const auto input = sample_state(1);
  for (std::size_t m : {1u, 2u, 8u}) {
    const auto output = RpoChainAir::chain_output(m, input);
    const Trace trace = RpoChainAir::build_trace(m, input);
    REQUIRE(trace.length() == 8 * m);
    for (std::size_t i = 0; i < 12; ++i) REQUIRE(trace.at(i, trace.length() - 1) == output[i]);
    RpoChainAir air(m, input, output);
    for (unsigned remainder : {2u, 64u}) {
      ProofOptions opts;
      opts.max_remainder_size = remainder;
      auto proof = prove(air, trace, opts, 2);
      INFO((proof ? "" : proof.error().message));
      REQUIRE(proof);
      CHECK(proof->params.num_segments == 7);
      auto report = verify(air, *serialize(*proof));
      INFO((report ? "" : report.error().message));
      REQUIRE(report);
      CHECK(report->security_bits >= 100);
    }
  }
}

TEST_CASE("the automatic LDE cache keeps a block's whole LDE and part of a range's", "[stark]") {
  ProofOptions automatic;
  const std::size_t block_lde = std::size_t{50} * 8 * (std::size_t{1} << 19) * sizeof(Felt);  // 1.6 GiB
  const std::size_t composition = std::size_t{7} * 8 * (std::size_t{1} << 19) * sizeof(Ext2);  // 448 MiB
  CHECK(lde_cache_budget(automatic, block_lde, composition) == block_lde + composition);
  CHECK(lde_cache_budget(automatic, kWholeLdeCacheLimit, 0) == kWholeLdeCacheLimit);
  CHECK(lde_cache_budget(automatic, kWholeLdeCacheLimit + 1, composition) == kPartialLdeCacheBytes);
  CHECK(lde_cache_budget(automatic, 2 * block_lde, 2 * composition) == kPartialLdeCacheBytes);
  ProofOptions fixed;
  fixed.lde_cache_bytes = 0;
  CHECK(lde_cache_budget(fixed, block_lde, composition) == 0);
  fixed.lde_cache_bytes = std::size_t{123} << 20;
  CHECK(lde_cache_budget(fixed, 2 * block_lde, composition) == std::size_t{123} << 20);
}

TEST_CASE("the prover's LDE cache trades memory for time, never the proof", "[stark]") {
  // Fibonacci (2 segments: stride 4, the constraints read every fourth coset) and the RPO chain
  // (7 segments, every coset), each with no coset kept, some, all the trace's and some of the
  // composition's; and the prover that consumes its trace.
  const std::size_t n = 256;
  FibonacciAir fibonacci(n, FibonacciAir::expected_result(n));
  const auto input = sample_state(3);
  RpoChainAir rpo(4, input, RpoChainAir::chain_output(4, input));
  struct Case {
    const Air& air;
    Trace trace;
  };
  for (const Case& c : {Case{fibonacci, FibonacciAir::build_trace(n)},
                        Case{rpo, RpoChainAir::build_trace(4, input)}}) {
    ProofOptions all;
    const auto reference = prove(c.air, c.trace, all, 2);
    REQUIRE(reference);
    const auto expected = serialize(*reference);
    REQUIRE(expected);
    REQUIRE(verify(c.air, *expected));
    const std::size_t coset_bytes = c.trace.width() * c.trace.length() * sizeof(Felt);
    // Past the trace's 8 cosets the budget keeps composition cosets: 3 of the RPO chain's (7
    // extension segments a coset), all 8 of Fibonacci's.
    const std::size_t with_composition = 8 * coset_bytes + 3 * 7 * c.trace.length() * sizeof(Ext2);
    for (std::size_t budget : {std::size_t{0}, coset_bytes, 3 * coset_bytes, with_composition}) {
      ProofOptions opts;
      opts.lde_cache_bytes = budget;
      INFO(c.air.id() << ", " << budget << " bytes kept");
      auto proof = prove(c.air, c.trace, opts, 2);
      REQUIRE(proof);
      CHECK(*serialize(*proof) == *expected);
      Trace consumed = c.trace;
      auto from_consumed = prove(c.air, std::move(consumed), opts, 1);
      REQUIRE(from_consumed);
      CHECK(*serialize(*from_consumed) == *expected);
    }
  }
}

TEST_CASE("proofs are the same bytes on every field kernel set", "[stark]") {
  // The vector paths (NTT, constraint evaluation) compute exact field values: a proof made on
  // any instruction set the CPU has is the scalar one's, byte for byte.
  const auto input = sample_state(3);
  const std::size_t m = 64;  // 512 rows: whole vectors of rows and NTT stages past the lanes
  RpoChainAir rpo(m, input, RpoChainAir::chain_output(m, input));
  const Trace rpo_trace = RpoChainAir::build_trace(m, input);
  const std::size_t n = 1 << 10;
  FibonacciAir fib(n, FibonacciAir::expected_result(n));
  const Trace fib_trace = FibonacciAir::build_trace(n);
  const auto saved = field::vector_isa();
  field::detail::set_vector_isa(field::VectorIsa::scalar);
  const auto rpo_scalar = prove(rpo, rpo_trace, {}, 2);
  const auto fib_scalar = prove(fib, fib_trace, {}, 2);
  REQUIRE(rpo_scalar);
  REQUIRE(fib_scalar);
  for (field::VectorIsa isa : field::supported_vector_isas()) {
    INFO("instruction set " << field::vector_isa_name(isa));
    field::detail::set_vector_isa(isa);
    const auto rpo_proof = prove(rpo, rpo_trace, {}, 2);
    const auto fib_proof = prove(fib, fib_trace, {}, 2);
    REQUIRE(rpo_proof);
    REQUIRE(fib_proof);
    CHECK(*serialize(*rpo_proof) == *serialize(*rpo_scalar));
    CHECK(*serialize(*fib_proof) == *serialize(*fib_scalar));
  }
  field::detail::set_vector_isa(saved);
}

TEST_CASE("prover refuses parameters below the security floor or out of range", "[stark]") {
  const std::size_t n = 64;
  FibonacciAir air(n, FibonacciAir::expected_result(n));
  const Trace trace = FibonacciAir::build_trace(n);
  ProofOptions weak;
  weak.num_queries = 20;
  auto refused = prove(air, trace, weak);
  REQUIRE(!refused);
  CHECK(refused.error().code == Errc::usage);
  ProofOptions odd;
  odd.blowup = 6;
  CHECK(!prove(air, trace, odd));
  ProofOptions tiny;
  tiny.blowup = 2;  // Fibonacci needs one segment, so blowup 2 is allowed but far too weak
  CHECK(!prove(air, trace, tiny));
  tiny.min_security_bits = 0;
  tiny.num_queries = 10;
  CHECK(prove(air, trace, tiny));
  // The RPO chain has degree 8, hence 7 composition segments: blowup 4 cannot hold them.
  const auto input = sample_state(2);
  RpoChainAir rpo(1, input, RpoChainAir::chain_output(1, input));
  ProofOptions small_blowup;
  small_blowup.blowup = 4;
  small_blowup.num_queries = 40;
  CHECK(!prove(rpo, RpoChainAir::build_trace(1, input), small_blowup));
  // A trace of the wrong shape.
  CHECK(!prove(air, FibonacciAir::build_trace(2 * n), {}));
}

TEST_CASE("proof encoding round-trips and is exactly sized", "[stark]") {
  const std::size_t n = 256;
  ProofOptions opts;
  opts.max_remainder_size = 4;
  FibonacciAir air(n, FibonacciAir::expected_result(n));
  auto proof = prove(air, FibonacciAir::build_trace(n), opts);
  REQUIRE(proof);
  auto bytes = *serialize(*proof);
  auto back = deserialize(bytes);
  REQUIRE(back);
  CHECK(*serialize(*back) == bytes);
  CHECK(back->params == proof->params);
  auto sections = proof_sections(proof->params);
  REQUIRE(sections.size() == 7 + proof->params.num_queries);
  CHECK(sections[0] == std::pair<std::string, std::size_t>{"header", 0});
  CHECK(sections[1].second == kProofHeaderSize);
  const auto shape = *proof_shape(proof->params);
  CHECK(sections.back().second + shape.query_size == bytes.size());
  CHECK(shape.fri_layers == 3);  // 256 -> 64 -> 16 -> 4
  CHECK(shape.remainder_size == 4);

  // A proof whose vectors disagree with its parameters cannot be encoded.
  Proof broken = *proof;
  broken.queries.pop_back();
  auto refused = serialize(broken);
  REQUIRE(!refused);
  CHECK(refused.error().code == Errc::internal);
}

TEST_CASE("base64 helpers carry proofs in JSON", "[stark]") {
  const std::size_t n = 64;
  FibonacciAir air(n, FibonacciAir::expected_result(n));
  auto bytes = *serialize(*prove(air, FibonacciAir::build_trace(n), {}));
  const std::string text = to_base64(bytes);
  CHECK(
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
      std::string::npos);
  auto back = from_base64(text);
  REQUIRE(back);
  CHECK(*back == bytes);
  CHECK(verify(air, *back));

  CHECK(to_base64(Bytes{}) == "");
  CHECK(from_base64("")->empty());
  CHECK(to_base64(Bytes{'f', 'o', 'o', 'b'}) == "Zm9vYg==");
  CHECK(*from_base64("Zm9vYg==") == Bytes{'f', 'o', 'o', 'b'});
  for (const char* bad :
       {"Zm9vYg=", "Zm9vYg", "Zm9v Yg==", "Zm9vYh==", "Zm9vYg==\n", "@@@@", "Zm9vYg==Zm9v"})
    CHECK(!from_base64(bad));
}

TEST_CASE("FRI depth keeps the degree bound exact", "[stark]") {
  for (unsigned log_n = 3; log_n <= 28; ++log_n) {
    for (unsigned log_rem = 0; log_rem <= 10; ++log_rem) {
      ProofParams p{3, 29, 16, log_rem, log_n, 2, 1};
      auto shape = proof_shape(p);
      REQUIRE(shape);
      INFO("log n " << log_n << ", log remainder " << log_rem);
      // remainder * 4^layers = n: FRI tests exactly degree < n.
      CHECK((shape->remainder_size << (2 * shape->fri_layers)) == (std::size_t{1} << log_n));
      CHECK(shape->remainder_size <= std::max<std::size_t>(2, std::size_t{1} << log_rem));
      CHECK(shape->lde_size == std::size_t{8} << log_n);
    }
  }
  // Limits.
  CHECK(!proof_shape({0, 29, 16, 6, 10, 2, 1}));   // blowup 1
  CHECK(!proof_shape({7, 29, 16, 6, 10, 2, 1}));   // blowup 128
  CHECK(!proof_shape({3, 0, 16, 6, 10, 2, 1}));    // no queries
  CHECK(!proof_shape({3, 29, 33, 6, 10, 2, 1}));   // grinding beyond 32 bits
  CHECK(!proof_shape({3, 29, 16, 11, 10, 2, 1}));  // remainder beyond 2^10
  CHECK(!proof_shape({3, 29, 16, 6, 2, 2, 1}));    // trace shorter than 8
  CHECK(!proof_shape({3, 29, 16, 6, 30, 2, 1}));   // LDE beyond 2^32
  CHECK(!proof_shape({3, 29, 16, 6, 10, 0, 1}));   // no columns
  CHECK(!proof_shape({3, 29, 16, 6, 10, 2, 0}));   // no segments
  CHECK(!proof_shape({3, 29, 16, 6, 10, 2, 9}));   // more segments than the blowup holds
  CHECK(!proof_shape({1, 255, 0, 0, 3, 1, 1}));    // 255 queries in a 16-point domain
  // The largest parameters the one-byte header fields allow stay well inside the size limit,
  // which is a second line of defence against hostile headers.
  auto largest = proof_shape({6, 255, 32, 0, 26, 255, 64});
  REQUIRE(largest);
  CHECK(largest->encoded_size < kMaxProofSize);
}

TEST_CASE("a malformed AIR is bad input for both sides", "[stark]") {
  FibonacciAir good(64, FibonacciAir::expected_result(64));
  const Bytes bytes = *serialize(*prove(good, FibonacciAir::build_trace(64), {}));
  for (std::size_t n : {0u, 4u, 100u}) {
    FibonacciAir bad(n, Felt(1));
    auto v = verify(bad, bytes);
    REQUIRE(!v);
    CHECK(v.error().code == Errc::bad_input);
    auto detailed = verify_detailed(bad, bytes, {});
    REQUIRE(!detailed);
    CHECK(detailed.error().reason == Rejection::air_invalid);
    CHECK(detailed.error().message() == v.error().message);
    auto p = prove(bad, FibonacciAir::build_trace(64), {});
    REQUIRE(!p);
    CHECK(p.error().code == Errc::bad_input);
  }
}

TEST_CASE("rejection reasons have distinct names and messages", "[stark]") {
  std::set<std::string_view> names, messages;
  const Rejection all[] = {Rejection::bad_encoding,
                           Rejection::air_mismatch,
                           Rejection::params_below_security,
                           Rejection::params_not_pinned,
                           Rejection::ood_mismatch,
                           Rejection::pow_invalid,
                           Rejection::trace_root_mismatch,
                           Rejection::composition_root_mismatch,
                           Rejection::deep_mismatch,
                           Rejection::fri_root_mismatch,
                           Rejection::fri_fold_mismatch,
                           Rejection::fri_remainder_mismatch,
                           Rejection::air_invalid,
                           Rejection::out_of_memory};
  for (Rejection r : all) {
    CHECK(names.insert(rejection_name(r)).second);
    CHECK(messages.insert(rejection_message(r)).second);
    const bool verdict = r != Rejection::air_invalid && r != Rejection::out_of_memory;
    CHECK((rejection_errc(r) == Errc::rejected) == verdict);
    const Rejected rejected{r, "why"};
    CHECK(rejected.error().code == rejection_errc(r));
    CHECK(rejected.message() == (verdict ? "stark proof rejected: why" : "why"));
  }
}
