// Proves a batch of ECgFp5 Schnorr verifications with air::SchnorrAir and prints the trace's
// shape (rows, columns, cells per signature), the prover's time by phase, the proof's size and
// the verification time.
//
//   bench_schnorr_air [--signatures N] [--threads T] [--repeat R] [--layout 2|3|4] [--lde-cache MiB]
//                     [--retain 0|1]
//
// Defaults: 25 signatures (25 segments of 256 rows, in 8,192 rows), 2
// threads, best of 3 runs, layout v4 (the prover's: v3's statement, the challenge hashed in the
// trace, over a 65-column ladder; v3 is the 110-column one; v2 takes the challenge as given).
// Messages are 135 bytes, a tx's signing message. One signature in eight is bad (another
// message), so both results are proven. --lde-cache sets ProofOptions::lde_cache_bytes (default:
// the library's policy, stark::kWholeLdeCacheLimit), to compare keeping the LDE with recomputing
// it in one binary. --retain 1 holds a RetainHugePages over the runs, so that every run after the
// first takes the memory its predecessor freed, as the SchnorrAir proof of a block proof takes the
// rollup STARK's. Each run's phases are printed, then the best run's.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <optional>
#include <vector>

#include "air/schnorr_air.hpp"
#include "core/memory.hpp"
#include "ecgfp5/schnorr.hpp"
#include "stark/prover.hpp"
#include "stark/verifier.hpp"

namespace {

using namespace rollup;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::vector<air::SignatureClaim> make_claims(std::size_t count) {
  const ecgfp5::SigningDomain domain{1, 1};
  std::vector<air::SignatureClaim> claims;
  for (std::size_t i = 0; i < count; ++i) {
    ecgfp5::Seed seed{};
    seed[0] = static_cast<std::uint8_t>(i);
    seed[1] = static_cast<std::uint8_t>(i >> 8);
    const auto key = ecgfp5::KeyPair::from_seed(seed);
    std::vector<std::uint8_t> message(air::kSignedMessageBytes);
    for (std::size_t b = 0; b < message.size(); ++b) message[b] = static_cast<std::uint8_t>(i + b);
    const auto signature = key.sign(domain, message);
    if (i % 8 == 7) message[0] ^= 1;  // a bad signature
    auto claim = air::claim_signature(key.public_key(), domain, message, signature);
    if (!claim) {
      std::fprintf(stderr, "claim: %s\n", claim.error().message.c_str());
      std::exit(1);
    }
    air::set_key_ids(*claim);  // v3 proves them; v2 ignores them
    claims.push_back(*claim);
  }
  return claims;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t signatures = 25;
  unsigned threads = 2, repeat = 3;
  air::SchnorrLayout layout = air::SchnorrLayout::v4;
  std::size_t lde_cache_bytes = stark::kAutoLdeCache;
  bool retain = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr,
                   "usage: bench_schnorr_air [--signatures N] [--threads T] [--repeat R] [--layout 2|3|4] "
                   "[--lde-cache MiB] [--retain 0|1]\n");
      return 2;
    }
    const unsigned long v = std::strtoul(argv[++i], nullptr, 10);
    if (arg == "--signatures") {
      signatures = v;
    } else if (arg == "--threads") {
      threads = static_cast<unsigned>(v);
    } else if (arg == "--repeat") {
      repeat = static_cast<unsigned>(std::max(1ul, v));
    } else if (arg == "--layout" && v >= 2 && v <= 4) {
      layout = static_cast<air::SchnorrLayout>(v);
    } else if (arg == "--retain") {
      retain = v != 0;
    } else if (arg == "--lde-cache") {
      lde_cache_bytes = std::size_t{v} << 20;
    } else {
      std::fprintf(stderr, "unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  const auto claims = make_claims(signatures);
  const ecgfp5::SigningDomain domain{1, 1};
  const bool hashed = air::hashes_challenge(layout);
  std::vector<air::SignatureWitness> witnesses;
  for (const auto& c : claims) witnesses.push_back(hashed ? air::witness_of(c, domain) : air::witness_of(c));
  const auto air_of_layout = air::make_schnorr_air(layout, domain, claims);
  const stark::Air& air = *air_of_layout;
  stark::ProofOptions options;
  options.lde_cache_bytes = lde_cache_bytes;

  double best_build = 1e9, best_prove = 1e9, best_verify = 1e9;
  stark::ProverTimings timings;
  std::size_t proof_bytes = 0;
  unsigned security = 0;
  std::optional<RetainHugePages> kept;
  if (retain) kept.emplace();
  for (unsigned run = 0; run < repeat; ++run) {
    const auto t0 = Clock::now();
    auto trace = hashed ? air::SchnorrAir::build_trace(witnesses, domain, threads, layout)
                        : air::SchnorrAir::build_trace(witnesses, threads);
    best_build = std::min(best_build, since(t0));
    if (!trace) {
      std::fprintf(stderr, "trace: %s\n", trace.error().message.c_str());
      return 1;
    }
    const auto t1 = Clock::now();
    auto proof = stark::prove(air, std::move(*trace), options, threads);
    const double prove_s = since(t1);
    if (!proof) {
      std::fprintf(stderr, "prove: %s\n", proof.error().message.c_str());
      return 1;
    }
    std::printf("run %u           %.3f s: LDE %.3f, constraints %.3f, composition %.3f\n", run + 1, prove_s,
                proof->timings.trace, proof->timings.constraints, proof->timings.composition);
    if (prove_s < best_prove) {
      best_prove = prove_s;
      timings = proof->timings;
    }
    const auto bytes = stark::serialize(*proof);
    proof_bytes = bytes->size();
    const auto t2 = Clock::now();
    auto report = stark::verify(air, *bytes, options);
    best_verify = std::min(best_verify, since(t2));
    if (!report) {
      std::fprintf(stderr, "verify: %s\n", report.error().message.c_str());
      return 1;
    }
    security = report->security_bits;
  }

  const std::size_t rows = air.trace_length(), columns = air.trace_width();
  const std::size_t segments = signatures * air::SchnorrAir::kRowsPerSignature;
  std::printf("signatures       %zu (%zu bad), %s\n", signatures, signatures / 8, air.id().c_str());
  std::printf("trace            %zu columns x %zu rows (%zu in segments, %.0f%%)\n", columns, rows,
              segments, 100.0 * segments / rows);
  std::printf("per signature    %zu rows x %zu columns = %zu cells (%.0f with padding)\n",
              air::SchnorrAir::kRowsPerSignature, columns,
              air::SchnorrAir::kRowsPerSignature * columns, double(rows * columns) / signatures);
  std::printf("constraints      %zu, max degree %u\n", air.transition_degrees().size(),
              std::ranges::max(air.transition_degrees()));
  std::printf("LDE cache        %s\n", lde_cache_bytes == stark::kAutoLdeCache
                                          ? "auto"
                                          : (std::to_string(lde_cache_bytes >> 20) + " MiB").c_str());
  std::printf("trace build      %.3f s\n", best_build);
  std::printf("prove            %.3f s (%u threads, best of %u): LDE %.3f, constraints %.3f, "
              "composition %.3f, DEEP %.3f, FRI %.3f, grinding %.3f, queries %.3f\n",
              best_prove, threads, repeat, timings.trace, timings.constraints,
              timings.composition, timings.deep, timings.fri, timings.grinding, timings.queries);
  std::printf("per signature    %.2f ms to prove\n", 1e3 * best_prove / signatures);
  std::printf("proof            %zu bytes (%.1f KiB), %u bits conjectured\n", proof_bytes,
              proof_bytes / 1024.0, security);
  std::printf("verify           %.2f ms (best of %u)\n", 1e3 * best_verify, repeat);
  return 0;
}
