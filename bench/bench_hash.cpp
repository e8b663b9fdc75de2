// Prints RPO permutation throughput (one state at a time, and batched as the tree hashes) and
// how many commits of 1000 random account updates a 100,000-leaf state tree sustains.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string_view>
#include <thread>
#include <vector>

#include "hash/rpo.hpp"
#include "smt/tree.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using rollup::hash::Digest;
using rollup::hash::Felt;
using rollup::hash::State;
namespace rpo = rollup::hash;
namespace smt = rollup::smt;

// Runs `step` (which does `per_step` operations) until at least `min_seconds` have passed and
// returns operations per second.
template <class Step>
double rate(double min_seconds, double per_step, Step&& step) {
  std::size_t steps = 0;
  auto start = Clock::now();
  double elapsed = 0;
  do {
    step();
    ++steps;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < min_seconds);
  return steps * per_step / elapsed;
}

Digest random_digest(std::mt19937_64& rng) {
  Digest d;
  for (auto& e : d) e = Felt(rng() % Felt::kModulus);
  return d;
}

}  // namespace

int main() {
  std::mt19937_64 rng(42);

  State state;
  for (auto& e : state) e = Felt(rng() % Felt::kModulus);
  double single = rate(1.0, 1000, [&] {
    for (int i = 0; i < 1000; ++i) rpo::permute(state);
  });
  std::printf("rpo permute, one state:      %10.0f perms/s  (%.2f us/perm, kernels %s)\n", single,
              1e6 / single, std::string(rpo::backend()).c_str());

  std::vector<Digest> children(2048), parents(1024);
  for (auto& d : children) d = random_digest(rng);
  for (auto name : rpo::detail::backends()) {
    double batched = rate(1.0, parents.size(), [&] {
      rpo::detail::merge_pairs(name, children, parents);
      std::copy(parents.begin(), parents.end(), children.begin());
    });
    std::printf("rpo merge_pairs, %-10.*s   %10.0f perms/s  (%.2f us/perm)\n",
                static_cast<int>(name.size()), name.data(), batched, 1e6 / batched);
  }

  constexpr std::uint64_t kLeaves = 100'000;
  constexpr int kUpdates = 1000;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<unsigned> thread_counts{1};
  if (cores > 1) thread_counts.push_back(cores);
  for (unsigned threads : thread_counts) {
    smt::Tree tree;
    auto fill_start = Clock::now();
    for (std::uint64_t i = 0; i < kLeaves; ++i) tree.set_leaf(i, random_digest(rng));
    tree.commit(threads);
    double fill = std::chrono::duration<double>(Clock::now() - fill_start).count();
    double commits = rate(2.0, 1, [&] {
      for (int i = 0; i < kUpdates; ++i) tree.set_leaf(rng() % kLeaves, random_digest(rng));
      tree.commit(threads);
    });
    std::printf("smt build %llu leaves, %u thread(s): %.3f s\n",
                static_cast<unsigned long long>(kLeaves), threads, fill);
    std::printf(
        "smt commit %d random updates in %llu leaves, %u thread(s): %8.1f commits/s  "
        "(%.1f ms/commit, %.0f updates/s)\n",
        kUpdates, static_cast<unsigned long long>(kLeaves), threads, commits, 1e3 / commits,
        commits * kUpdates);
  }
  return 0;
}
