// Prints the rollup AIR's figures for one block of transfers: trace size, prover time by phase,
// the trace's LDE and Merkle commitment timed alone (the floor any prover of this trace pays),
// peak RSS, proof size, verification time (signatures included) and conjectured security.
//
//   bench_rollup_air [--txs N] [--accounts A] [--new K] [--threads T] [--blocks B]
//                    [--lde-cache MIB] [--simd ISA] [--scheme ed25519|ecgfp5] [--save FILE]
//                    [--signature-layout 2|3|4]
//   bench_rollup_air --verify FILE [--rounds N] [--native-rounds M] [--default-heap 1]
//
// --scheme ecgfp5 makes the accounts ECgFp5 keys: the proof then carries a SchnorrAir proof of
// the block's signatures (docs/air.md §6.1), timed on its own line, and the verifier checks no
// signature. --signature-layout 2 or 3 makes that proof in SchnorrAir's layout v2 (version 6,
// whose challenges and key ids the verifier hashes) or v3 (version 7, 110 columns) instead of v4
// (version 8, 65 columns), to compare them in one build. Its setup derives every account's key (a scalar multiplication each, spread over
// the threads): about a minute for the default million accounts on 2 threads.
//
// --blocks B proves B consecutive blocks of that size in one range proof (what rollup-prove
// --range B does): a trace B times as long. --lde-cache sets ProofOptions::lde_cache_bytes, the
// part of the trace's LDE the prover keeps rather than recomputes (default: the library's auto
// policy, stark::kWholeLdeCacheLimit).
// --simd avx512|avx2|scalar picks the field kernels' instruction set (default: the widest the
// CPU has), to compare the vector paths with the scalar one in the same binary.
//
// --save writes the block and its proof line to FILE (two NDJSON lines); --verify reads such a
// file and only verifies it, best of N rounds (default 20), with the CPU time each verification
// took: the verifier's figures without the minutes of setup and proving, and a fixed input to
// compare two builds of the verifier on. Like rollup-verify and rollup-submit it keeps its freed
// heap (keep_freed_heap: no page faults from the second verification on); --default-heap 1 leaves
// glibc's malloc as it is, to see what the faults cost.
//
// Defaults: a block of a real rollup (issue #9): 1024 transfers among 1,000,000 funded accounts,
// 10% of them (102) to new keys, 2 threads. `--accounts 2000 --new 0` is the old default, the
// flattering block. Senders and recipients are drawn at random (fixed seed); every transfer pays
// a fee of 1 to account 0. Peak RSS is printed twice: the peak of the proving alone (the high-water
// mark is reset after setup and the floor measurement, which holds a whole trace LDE of its own:
// the figure the 4 GiB budget is about, the state of the accounts included) and the process's
// peak at exit.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "air/block_proof.hpp"
#include "air/witness.hpp"
#include "codec/fields.hpp"
#include "codec/objects.hpp"
#include "core/memory.hpp"
#include "crypto/crypto.hpp"
#include "field/ntt.hpp"
#include "field/packed.hpp"
#include "core/parallel.hpp"
#include "stark/merkle.hpp"
#include "wallet/wallet.hpp"

namespace {

using namespace rollup;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

long current_rss_mib() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

long peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;  // Linux reports KiB
}

// The high-water mark of the resident set since the last reset_peak_rss() (VmHWM; Linux resets
// it when "5" is written to clear_refs), or -1 where the kernel does not tell.
long peak_rss_since_reset_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10) / 1024;
  return -1;
}

bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

// The trace commitment as the prover makes it (interpolate, LDE on the blowup-8 coset, hash the
// rows, build the tree), with nothing else around it.
double commit_alone(const stark::Trace& trace, unsigned threads) {
  const auto start = Clock::now();
  const std::size_t n = trace.length(), N = 8 * n, w = trace.width();
  std::vector<std::vector<field::Felt>> lde(w);
  const unsigned outer = w >= threads ? threads : 1, inner = w >= threads ? 1 : threads;
  parallel_for(w, outer, [&](std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c) {
      std::vector<field::Felt> coeffs(trace.column(c).begin(), trace.column(c).end());
      field::intt(std::span<field::Felt>(coeffs), inner);
      lde[c].assign(N, field::Felt::zero());
      std::copy(coeffs.begin(), coeffs.end(), lde[c].begin());
      field::coset_ntt(std::span<field::Felt>(lde[c]), field::Felt(stark::kDomainOffset), inner);
    }
  });
  stark::MerkleTree tree(stark::hash_rows<field::Felt>(lde, threads), threads);
  (void)tree.root();
  return since(start);
}

// User and system time of the whole process, every thread: on a loaded machine the wall time of
// a verification says more about the other processes than about the verifier.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto secs = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

// Verifies the block and proof a --save run wrote, `rounds` times.
int verify_saved(const std::string& path, unsigned rounds, unsigned native_rounds) {
  std::ifstream in(path);
  std::string block_text, proof_text;
  if (!std::getline(in, block_text) || !std::getline(in, proof_text)) {
    std::fprintf(stderr, "%s: expected a block line and a proof line\n", path.c_str());
    return 2;
  }
  auto block_json = codec::parse_json(block_text);
  auto proof_json = codec::parse_json(proof_text);
  if (!block_json || !proof_json) {
    std::fprintf(stderr, "%s: not JSON\n", path.c_str());
    return 2;
  }
  auto block = codec::parse_block(*block_json);
  auto line = air::parse_proof_line(*proof_json);
  if (!block || !line) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), (block ? line.error() : block.error()).message.c_str());
    return 2;
  }
  // The scheme follows from the keys: an ECgFp5 rollup's are 40 bytes.
  const auto& first_txs = vm::rollup_txs(*block, 1);
  const auto scheme = !first_txs.empty() && first_txs.front().from.size() == 40 ? crypto::SignatureScheme::ecgfp5
                                                                                 : crypto::SignatureScheme::ed25519;
  const vm::RollupParams params{1, 1, scheme};
  const air::RangeProofClaim claim{line->height, line->last_height, line->block_hash, line->pre_root, line->post_root,
                                   line->pre_keys};
  double best = 1e9, total = 0;
  const double cpu_start = cpu_seconds();
  for (unsigned i = 0; i < rounds; ++i) {
    auto checked = air::verify_range_proof(std::span(&*block, 1), params, claim, line->proof);
    if (!checked || !*checked) {
      std::fprintf(stderr, "verify failed: %s\n",
                   (checked ? checked->error().message() : checked.error().message).c_str());
      return 1;
    }
    best = std::min(best, (*checked)->verify_ms);
    total += (*checked)->verify_ms;
  }
  const double cpu_ms = (cpu_seconds() - cpu_start) * 1000 / rounds;
  // The signature checks alone, on as many threads as the verifier gives them: the verifier runs
  // the statement and the STARK beside them, so its time is about the larger of the two.
  const auto& txs = vm::rollup_txs(*block, params.namespace_id);
  const unsigned sig_threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  double sig_best = 1e9;
  for (unsigned i = 0; i < native_rounds; ++i) {
    const auto t = Clock::now();
    (void)vm::check_signatures(txs, params, sig_threads);
    sig_best = std::min(sig_best, since(t) * 1000);
  }
  std::printf("verify           %.1f ms best, %.1f ms mean of %u; CPU %.1f ms each, all threads (%zu txs, proof %zu bytes)\n",
              best, total / rounds, rounds, cpu_ms, txs.size(), line->proof.size());
  if (native_rounds > 0)
    std::printf("signatures alone %.1f ms best of %u (%u threads)\n", sig_best, native_rounds, sig_threads);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t txs = 1024, accounts = 1'000'000, fresh = 102, num_blocks = 1;
  unsigned threads = 2, rounds = 20;
  std::optional<unsigned> native_rounds;  // of --verify's native signature checks; --rounds by default
  bool default_heap = false;
  std::size_t lde_cache_bytes = stark::kAutoLdeCache;
  std::string save_path, verify_path, simd, scheme_name = "ed25519";
  air::SchnorrLayout signature_layout = air::SchnorrLayout::v4;
  bool bad_flag = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const unsigned long v = std::strtoul(argv[i + 1], nullptr, 10);
    if (flag == "--save") save_path = argv[i + 1];
    else if (flag == "--verify") verify_path = argv[i + 1];
    else if (flag == "--default-heap") default_heap = v != 0;
    else if (flag == "--rounds") rounds = static_cast<unsigned>(std::max(1ul, v));
    else if (flag == "--native-rounds") native_rounds = static_cast<unsigned>(v);
    else if (flag == "--txs") txs = v;
    else if (flag == "--accounts") accounts = v;
    else if (flag == "--new") fresh = v;
    else if (flag == "--threads") threads = static_cast<unsigned>(v);
    else if (flag == "--blocks") num_blocks = std::max(1ul, v);
    else if (flag == "--lde-cache") lde_cache_bytes = std::size_t{v} << 20;
    else if (flag == "--simd") simd = argv[i + 1];
    else if (flag == "--scheme") scheme_name = argv[i + 1];
    else if (flag == "--signature-layout" && v >= 2 && v <= 4)
      signature_layout = static_cast<air::SchnorrLayout>(v);
    else bad_flag = true;
    if (bad_flag || argc % 2 == 0) {
      std::fprintf(stderr, "usage: bench_rollup_air [--txs N] [--accounts A] [--new K] [--threads T] [--blocks B]\n"
                           "                        [--lde-cache MIB] [--simd ISA] [--scheme ed25519|ecgfp5]\n"
                           "                        [--save FILE] [--signature-layout 2|3|4]\n"
                           "       bench_rollup_air --verify FILE [--rounds N] [--native-rounds M] [--default-heap 1]\n"
                           "         (M rounds of the block's signatures checked natively, for comparison; N by\n"
                           "          default, 0 to profile the verifier alone)\n");
      return 2;
    }
  }
  if (!simd.empty()) {
    bool known = false;
    for (auto isa : {field::VectorIsa::avx512, field::VectorIsa::avx2, field::VectorIsa::scalar})
      if (field::vector_isa_name(isa) == simd) {
        known = true;
        try {
          field::detail::set_vector_isa(isa);
        } catch (const std::invalid_argument& e) {
          std::fprintf(stderr, "%s\n", e.what());
          return 2;
        }
      }
    if (!known) {
      std::fprintf(stderr, "--simd takes avx512, avx2 or scalar\n");
      return 2;
    }
  }
  if (!verify_path.empty()) {
    if (!default_heap) keep_freed_heap();
    return verify_saved(verify_path, rounds, native_rounds.value_or(rounds));
  }
  if (!save_path.empty() && num_blocks > 1) {
    std::fprintf(stderr, "--save takes one block (--verify reads one block and its proof)\n");
    return 2;
  }
  if (accounts < 2 || fresh > txs) {
    std::fprintf(stderr, "need at least 2 accounts and no more new keys than txs\n");
    return 2;
  }
  const auto scheme = crypto::parse_scheme(scheme_name);
  if (!scheme) {
    std::fprintf(stderr, "--scheme takes ed25519 or ecgfp5\n");
    return 2;
  }
  const vm::RollupParams params{1, 1, *scheme};
  const std::string cache = lde_cache_bytes == stark::kAutoLdeCache ? std::string("auto")
                                                                     : std::to_string(lde_cache_bytes >> 20) + " MiB";
  std::printf("== rollup %s: %zu transfers among %zu accounts, %zu to new keys, %u threads, LDE cache %s, "
              "%s field kernels, %s signatures\n",
              num_blocks == 1 ? "block" : (std::to_string(num_blocks) + " blocks, each").c_str(), txs, accounts,
              fresh, threads, cache.c_str(), std::string(field::vector_isa_name(field::vector_isa())).c_str(),
              scheme_name.c_str());

  auto t0 = Clock::now();
  // A key each, derived on every thread: an ECgFp5 key is a scalar multiplication, and the
  // realistic block's million of them would otherwise take minutes on one.
  std::vector<std::optional<crypto::AccountKey>> derived(accounts);
  parallel_for(accounts, threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) derived[i].emplace(crypto::dev_account_key(*scheme, 1000 + i));
  }, 1024);
  std::vector<crypto::AccountKey> keys;
  std::vector<vm::Account> genesis;
  keys.reserve(accounts);
  genesis.reserve(accounts);
  for (auto& key : derived) {
    keys.push_back(std::move(*key));
    genesis.push_back({keys.back().public_key(), 1'000'000'000, 0});
  }
  std::vector<std::optional<crypto::AccountKey>>().swap(derived);
  vm::State state;
  state.load_accounts(genesis, threads);
  std::vector<codec::Block> blocks(num_blocks);
  std::mt19937_64 rng(42);
  std::vector<std::uint64_t> nonce(accounts, 0);
  for (std::size_t b = 0; b < num_blocks; ++b) {
    codec::Block& block = blocks[b];
    block.height = 1 + b;
    if (b > 0) block.parent = blocks[b - 1].hash;
    block.fee_recipient = keys[0].public_key();
    block.namespaces.push_back(codec::NamespaceTxs{1, {}, {}});
    for (std::size_t i = 0; i < txs; ++i) {
      const std::size_t from = 1 + rng() % (accounts - 1);
      std::size_t to = rng() % accounts;
      if (to == from) to = (to + 1) % accounts;
      const PublicKey dest =
          i < fresh ? crypto::dev_account_key(*scheme, 1000 + accounts + b * txs + i).public_key() : keys[to].public_key();
      block.namespaces[0].txs.push_back(
          wallet::sign_transfer(keys[from], dest, 1 + rng() % 1000, 1, nonce[from]++, params));
    }
    block.namespaces[0].tx_hash = codec::tx_list_hash(block.namespaces[0].txs);
    block.hash = block.compute_hash();
  }
  const codec::Block& block = blocks.front();
  std::vector<crypto::AccountKey>().swap(keys);  // the signers are done: not part of any prover's memory
  std::vector<vm::Account>().swap(genesis);
  air::ProverState prover(std::move(state), threads);
  std::printf("setup            %.2f s (keys, signatures, genesis tree, key tree), RSS %ld MiB\n", since(t0),
              current_rss_mib());

  // The floor first, from the same pre-state (proving advances it), so that no second copy of a
  // million accounts' state is held while proving: the trace again, its LDE and commitment alone.
  const auto& txs_list = vm::rollup_txs(block, params.namespace_id);
  double alone = 0;
  if (num_blocks == 1) {
    auto w = air::make_witness(prover, block, params, vm::check_signatures(txs_list, params, threads), threads);
    if (!w) return 1;
    air::RollupAir rollup_air(w->publics, w->program.ops);
    const auto trace = air::build_trace(rollup_air, w->ops, threads);
    alone = commit_alone(trace, threads);
  }

  air::ProveOptions options;
  options.threads = threads;
  options.stark.lde_cache_bytes = lde_cache_bytes;
  options.signature_layout = signature_layout;
  const long rss_before = current_rss_mib();
  const bool peak_reset = reset_peak_rss();
  const double prove_cpu_start = cpu_seconds();
  auto proof = air::prove_range(prover, std::span(blocks), params, options);
  const double prove_cpu = cpu_seconds() - prove_cpu_start;
  if (!proof) {
    std::fprintf(stderr, "prove failed: %s\n", proof.error().message.c_str());
    return 1;
  }
  const long prover_rss = peak_reset ? peak_rss_since_reset_mib() : peak_rss_mib();
  const auto& t = proof->timings;
  std::printf("trace            %zu columns x %zu rows (2^%u), %zu ops at depth %u, LDE domain 2^%u\n",
              proof->trace_width, proof->trace_rows, unsigned(__builtin_ctzll(proof->trace_rows)), proof->ops,
              proof->depth, unsigned(__builtin_ctzll(proof->trace_rows * 8)));
  std::printf("prove total      %.2f s\n", proof->prove_ms / 1000);
  // CPU time (user + system, all threads) beside the wall time: a shared VM's neighbours still
  // move it (caches, memory bandwidth), but not by the time they hold a core.
  std::printf("prove CPU        %.2f s\n", prove_cpu);
  std::printf("  witness (STF, claims, program, paths) %6.2f s\n", proof->witness_ms / 1000);
  std::printf("  trace build                           %6.2f s\n", proof->trace_ms / 1000);
  std::printf("  stark: trace check, LDE + commit      %6.2f s\n", t.trace);
  std::printf("  stark: constraint evaluation          %6.2f s\n", t.constraints);
  std::printf("  stark: composition commit             %6.2f s\n", t.composition);
  std::printf("  stark: OOD + DEEP                     %6.2f s\n", t.deep);
  std::printf("  stark: FRI                            %6.2f s\n", t.fri);
  std::printf("  stark: grinding + queries             %6.2f s\n", t.grinding + t.queries);
  if (params.scheme == crypto::SignatureScheme::ecgfp5)
    std::printf("  signature proof (SchnorrAir, %zu claims, %zu rows x %zu columns) %6.2f s\n",
                proof->signature_claims, proof->signature_rows,
                air::SchnorrAir::width_of(signature_layout),
                proof->signature_ms / 1000);
  if (params.scheme == crypto::SignatureScheme::ecgfp5) {
    const auto& st = proof->signature_timings;
    std::printf("    its stark: LDE + commit %.2f, constraints %.2f, composition %.2f, DEEP %.2f, FRI %.2f, "
                "grinding + queries %.2f s\n",
                st.trace, st.constraints, st.composition, st.deep, st.fri, st.grinding + st.queries);
  }

  if (num_blocks == 1)
    std::printf("LDE + Merkle commitment of the trace alone  %.2f s  (prove total / this = %.1f)\n", alone,
                proof->prove_ms / 1000 / alone);

  std::printf("proof size       %zu bytes (%.1f KiB)\n", proof->bytes.size(), proof->bytes.size() / 1024.0);
  if (!save_path.empty()) {
    std::ofstream out(save_path);
    out << codec::to_json(block) << "\n" << air::to_json(air::proof_line_of(*proof)) << "\n";
    if (!out) std::fprintf(stderr, "could not write %s\n", save_path.c_str());
  }
  const air::RangeProofClaim claim{1, num_blocks, block.hash, proof->pre_root, proof->post_root, proof->pre_keys};
  double best = 1e9;
  unsigned bits = 0;
  for (int i = 0; i < 5; ++i) {
    auto checked = air::verify_range_proof(std::span(blocks), params, claim, proof->bytes);
    if (!checked || !*checked) {
      std::fprintf(stderr, "verify failed: %s\n",
                   (checked ? checked->error().message() : checked.error().message).c_str());
      return 1;
    }
    const auto& report = *checked;
    best = std::min(best, report->verify_ms);
    bits = report->security_bits;
  }
  if (params.scheme == crypto::SignatureScheme::ecgfp5)
    std::printf("verify           %.1f ms (best of 5; %zu ECgFp5 signatures proven, none checked)\n", best,
                txs * num_blocks);
  else
    std::printf("verify           %.1f ms (best of 5; %zu Ed25519 signatures included)\n", best, txs * num_blocks);
  std::printf("security         %u bits conjectured\n", bits);
  std::printf("peak RSS         %ld MiB proving (%ld MiB before it: accounts, blocks); process %ld MiB at exit\n",
              prover_rss, rss_before, peak_rss_mib());
  return 0;
}
