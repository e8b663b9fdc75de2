#include <catch2/catch.hpp>

#include "stark/fibonacci_air.hpp"
#include "stark/prover.hpp"
#include "stark/verifier.hpp"

using namespace rollup;
using namespace rollup::stark;

TEST_CASE("fibonacci: honest proof verifies", "[stark]") {
  for (std::size_t n : {8u, 64u, 256u}) {
    for (unsigned rem : {4u, 64u}) {
      ProofOptions opts;
      opts.max_remainder_size = rem;
      FibonacciAir air(n, FibonacciAir::expected_result(n));
      auto proof = prove(air, FibonacciAir::build_trace(n), opts, 2);
      REQUIRE(proof);
      auto bytes = serialize(*proof);
      REQUIRE(bytes);
      auto report = verify(air, *bytes);
      INFO((report ? "" : report.error().message));
      REQUIRE(report);
      CHECK(report->security_bits >= 100);
    }
  }
}

TEST_CASE("fibonacci: quick sanity rejections", "[stark]") {
  const std::size_t n = 64;
  ProofOptions opts;
  opts.max_remainder_size = 4;
  FibonacciAir air(n, FibonacciAir::expected_result(n));
  auto proof = prove(air, FibonacciAir::build_trace(n), opts, 2);
  REQUIRE(proof);
  auto bytes = *serialize(*proof);
  FibonacciAir wrong(n, FibonacciAir::expected_result(n) + Felt::one());
  auto r = verify(wrong, bytes);
  REQUIRE(!r);
  WARN(r.error().message);
  auto bad_trace = FibonacciAir::build_trace(n);
  bad_trace.at(0, 17) += Felt::one();
  REQUIRE(!prove(air, bad_trace, opts, 2));
  ProverFaults f;
  f.skip_checks = true;
  auto p2 = prove_with_faults(air, bad_trace, opts, 2, f);
  REQUIRE(p2);
  auto r2 = verify(air, *serialize(*p2));
  REQUIRE(!r2);
  WARN(r2.error().message);
  for (int layer = 0; layer <= 2; ++layer) {
    ProverFaults f3;
    f3.fri_substitute_layer = layer;
    auto p3 = prove_with_faults(air, FibonacciAir::build_trace(n), opts, 2, f3);
    auto r3 = verify(air, *serialize(*p3));
    REQUIRE(!r3);
    WARN(r3.error().message);
  }
  ProverFaults f4;
  f4.alter_ood = true;
  auto r4 = verify(air, *serialize(*prove_with_faults(air, FibonacciAir::build_trace(n), opts, 2, f4)));
  REQUIRE(!r4);
  WARN(r4.error().message);
  WARN(bytes.size());
}

#include "stark/rpo_air.hpp"
TEST_CASE("rpo chain: honest proof verifies", "[stark]") {
  RpoChainAir::State in{};
  for (std::size_t i = 0; i < 12; ++i) in[i] = Felt(i * 1000 + 7);
  for (std::size_t m : {1u, 4u, 16u}) {
    auto out = RpoChainAir::chain_output(m, in);
    auto trace = RpoChainAir::build_trace(m, in);
    for (std::size_t i = 0; i < 12; ++i) REQUIRE(trace.at(i, trace.length() - 1) == out[i]);
    RpoChainAir air(m, in, out);
    ProofOptions opts;
    opts.max_remainder_size = 4;
    auto proof = prove(air, trace, opts, 2);
    INFO((proof ? "" : proof.error().message));
    REQUIRE(proof);
    auto bytes = *serialize(*proof);
    auto report = verify(air, bytes);
    INFO((report ? "" : report.error().message));
    REQUIRE(report);
    WARN(bytes.size());
    ProverFaults f4;
    f4.alter_ood = true;
    auto r4 = verify(air, *serialize(*prove_with_faults(air, trace, opts, 2, f4)));
    REQUIRE(!r4);
    WARN(r4.error().message);
  }
}
