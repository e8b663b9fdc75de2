#pragma once
// A minimal fork-join helper for the prover's data-parallel loops (NTT stages, column LDEs,
// Merkle levels, constraint evaluation): plain std::thread, no pool, because every use splits
// work that is large enough to dwarf the cost of starting a thread.
#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace rollup::field {

/// Runs fn(begin, end) over [0, count) split into at most `threads` contiguous chunks, the last
/// one on the calling thread. Work below `min_chunk` items per chunk stays on one thread. An
/// exception thrown by any chunk is rethrown here after every chunk has finished.
template <class Fn>
void parallel_for(std::size_t count, unsigned threads, Fn&& fn, std::size_t min_chunk = 1) {
  std::size_t chunks = std::max<std::size_t>(1, threads);
  chunks = std::min(chunks, std::max<std::size_t>(1, count / std::max<std::size_t>(1, min_chunk)));
  if (chunks <= 1) {
    fn(std::size_t{0}, count);
    return;
  }
  std::vector<std::thread> workers;
  std::vector<std::exception_ptr> errors(chunks);
  workers.reserve(chunks - 1);
  auto bound = [&](std::size_t i) { return count * i / chunks; };
  for (std::size_t i = 0; i + 1 < chunks; ++i) {
    workers.emplace_back([&, i] {
      try {
        fn(bound(i), bound(i + 1));
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  try {
    fn(bound(chunks - 1), count);
  } catch (...) {
    errors[chunks - 1] = std::current_exception();
  }
  for (auto& w : workers) w.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace rollup::field
