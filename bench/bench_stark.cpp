// Prints STARK figures for the two example AIRs: trace size, prover time by phase, peak RSS,
// proof size, verification time and conjectured security.
//
//   bench_stark [all|fib|rpo] [--log-fib K] [--log-rpo K] [--threads T]
//
// Defaults: Fibonacci with 2^20 rows, an RPO chain of 2^16 permutations (2^19 rows), 2 threads.
// Each benchmark runs in its own child process so that its peak RSS is its own.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#include "stark/fibonacci_air.hpp"
#include "stark/prover.hpp"
#include "stark/rpo_air.hpp"
#include "stark/verifier.hpp"

namespace {

using namespace rollup;
using namespace rollup::stark;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

long peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;  // Linux reports KiB
}

int run(const char* name, const Air& air, const Trace& trace, double trace_seconds,
        unsigned threads) {
  const ProofOptions options;
  std::printf("== %s\n", name);
  std::printf("trace            %zu columns x %zu rows (2^%u), LDE domain 2^%u, built in %.2f s\n",
              trace.width(), trace.length(), unsigned(__builtin_ctzll(trace.length())),
              unsigned(__builtin_ctzll(trace.length() * options.blowup)), trace_seconds);
  auto proof = prove(air, trace, options, threads);
  if (!proof) {
    std::fprintf(stderr, "prove failed: %s\n", proof.error().message.c_str());
    return 1;
  }
  const auto& t = proof->timings;
  std::printf("prove total      %.2f s  (%u threads)\n", t.total, threads);
  std::printf("  trace LDE+commit   %7.2f s\n", t.trace);
  std::printf("  constraint eval    %7.2f s\n", t.constraints);
  std::printf("  composition commit %7.2f s\n", t.composition);
  std::printf("  OOD + DEEP         %7.2f s\n", t.deep);
  std::printf("  FRI                %7.2f s\n", t.fri);
  std::printf("  grinding           %7.2f s\n", t.grinding);
  std::printf("  query openings     %7.2f s\n", t.queries);
  auto bytes = serialize(*proof);
  if (!bytes) {
    std::fprintf(stderr, "serialize failed: %s\n", bytes.error().message.c_str());
    return 1;
  }
  const auto v0 = Clock::now();
  auto report = verify(air, *bytes, options);
  const double verify_seconds = since(v0);
  if (!report) {
    std::fprintf(stderr, "verify failed: %s\n", report.error().message.c_str());
    return 1;
  }
  std::printf("peak RSS         %ld MiB\n", peak_rss_mib());
  std::printf("proof size       %zu bytes (%.1f KiB)\n", bytes->size(), bytes->size() / 1024.0);
  std::printf("verify           %.2f ms\n", verify_seconds * 1e3);
  std::printf("security         %u bits conjectured (blowup %u, %u queries, %u grinding bits)\n",
              report->security_bits, options.blowup, options.num_queries, options.grinding_bits);
  std::fflush(stdout);
  return 0;
}

int bench_fib(unsigned log_n, unsigned threads) {
  const std::size_t n = std::size_t{1} << log_n;
  const auto t0 = Clock::now();
  Trace trace = FibonacciAir::build_trace(n);
  const double built = since(t0);
  FibonacciAir air(n, FibonacciAir::expected_result(n));
  return run("Fibonacci", air, trace, built, threads);
}

int bench_rpo(unsigned log_m, unsigned threads) {
  const std::size_t m = std::size_t{1} << log_m;
  RpoChainAir::State input{};
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = field::Felt(i + 1);
  const auto t0 = Clock::now();
  Trace trace = RpoChainAir::build_trace(m, input);
  const double built = since(t0);
  RpoChainAir::State output{};
  for (std::size_t i = 0; i < output.size(); ++i) output[i] = trace.at(i, trace.length() - 1);
  RpoChainAir air(m, input, output);
  const std::string name = "RPO chain of 2^" + std::to_string(log_m) + " permutations";
  return run(name.c_str(), air, trace, built, threads);
}

// Runs fn in a child so that each benchmark's peak RSS is measured on its own.
int in_child(const std::function<int()>& fn) {
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return fn();
  if (pid == 0) std::_Exit(fn());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "all";
  unsigned log_fib = 20, log_rpo = 16, threads = 2;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> unsigned {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    };
    if (arg == "--log-fib")
      log_fib = value();
    else if (arg == "--log-rpo")
      log_rpo = value();
    else if (arg == "--threads")
      threads = value();
    else if (arg == "all" || arg == "fib" || arg == "rpo")
      which = arg;
    else {
      std::fprintf(stderr,
                   "usage: bench_stark [all|fib|rpo] [--log-fib K] [--log-rpo K] "
                   "[--threads T]\n");
      return 2;
    }
  }
  int rc = 0;
  if (which == "all" || which == "rpo") rc |= in_child([&] { return bench_rpo(log_rpo, threads); });
  if (which == "all" || which == "fib") rc |= in_child([&] { return bench_fib(log_fib, threads); });
  return rc;
}
