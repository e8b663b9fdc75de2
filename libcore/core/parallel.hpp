#pragma once
// The one fork-join helper of libcore, for every data-parallel loop (NTT stages, column LDEs,
// Merkle levels, constraint evaluation, signature batches, tree rebuilds): plain std::thread, no
// pool, because every use splits work that is large enough to dwarf the cost of starting a
// thread. An exception thrown on any worker reaches the caller; none ends the process.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace rollup {

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

/// Runs fn(begin, end) over [0, count) in blocks of `block` items that `threads` workers take
/// in turn, the calling thread among them: unlike parallel_for's fixed halves, a worker slowed
/// by other load on its core simply takes fewer blocks. Exceptions are rethrown as there.
template <class Fn>
void parallel_blocks(std::size_t count, unsigned threads, std::size_t block, Fn&& fn) {
  block = std::max<std::size_t>(1, block);
  const std::size_t blocks = (count + block - 1) / block;
  const std::size_t workers_wanted = std::min<std::size_t>(std::max(1u, threads), blocks);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t b; (b = next.fetch_add(1, std::memory_order_relaxed)) < blocks;)
      fn(b * block, std::min(count, (b + 1) * block));
  };
  if (workers_wanted <= 1) {
    work();
    return;
  }
  std::vector<std::thread> workers;
  std::vector<std::exception_ptr> errors(workers_wanted);
  workers.reserve(workers_wanted - 1);
  for (std::size_t i = 0; i + 1 < workers_wanted; ++i) {
    workers.emplace_back([&, i] {
      try {
        work();
      } catch (...) {
        errors[i] = std::current_exception();
        next.store(blocks, std::memory_order_relaxed);  // the others stop at their next block
      }
    });
  }
  try {
    work();
  } catch (...) {
    errors[workers_wanted - 1] = std::current_exception();
    next.store(blocks, std::memory_order_relaxed);
  }
  for (auto& w : workers) w.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace rollup
