#include "air/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "l1/genesis.hpp"
#include "l1/views.hpp"
#include "vm/history.hpp"

namespace rollup::air {

// ---- Prover

ProverSession::ProverSession(store::Db& db, l1::Contract& contract, const ProveOptions& options)
    : options_(options), db_(&db), contract_(&contract), store_(db) {}

Result<std::unique_ptr<ProverSession>> ProverSession::open(store::Db& db, l1::Contract& contract,
                                                          const ProveOptions& options) {
  std::unique_ptr<ProverSession> s(new ProverSession(db, contract, options));
  auto cfg = ROLLUP_TRY(s->contract_->config());
  s->params_ = vm::params_of(cfg);
  return s;
}

Result<codec::Block> ProverSession::committed_block(std::uint64_t height) {
  auto block = ROLLUP_TRY(l1::committed_block(*contract_, height));
  if (!block) return fail(Errc::rejected, fmt::format("block {} is not committed on the contract", height));
  return std::move(*block);
}

Status ProverSession::replay_to(std::uint64_t height) {
  // A few blocks ahead of the state in memory are applied here; anything else (the first block,
  // a gap, a height behind) reads the pre-state from the state file's history, in time that does
  // not grow with the chain.
  constexpr std::uint64_t kAdvanceAtMost = 16;
  if (!state_ || state_height_ > height || height - state_height_ > kAdvanceAtMost) {
    vm::State pre = ROLLUP_TRY(vm::state_at(*db_, *contract_, height, options_.threads));
    state_.emplace(std::move(pre), options_.threads);
    state_height_ = height;
  }
  while (state_height_ < height) {
    const codec::Block block = ROLLUP_TRY(committed_block(state_height_ + 1));
    state_->advance(block, params_, options_.threads);
    ++state_height_;
  }
  return {};
}

Result<ProveOutcome> ProverSession::prove(const vm::ExecClaim& exec) {
  return prove_range(std::span<const vm::ExecClaim>(&exec, 1));
}

Result<ProveOutcome> ProverSession::prove_range(std::span<const vm::ExecClaim> execs) {
  if (execs.empty()) return fail(Errc::internal, "prove_range: no exec lines");
  const vm::ExecClaim& first = execs.front();
  const vm::ExecClaim& last = execs.back();
  for (std::size_t i = 1; i < execs.size(); ++i)
    if (execs[i].height != first.height + i)
      return fail(Errc::bad_input, fmt::format("a range proof needs consecutive blocks: block {} after block {}",
                                               execs[i].height, execs[i - 1].height));
  ProveOutcome out;
  if (auto stored = ROLLUP_TRY(store_.get(first.height))) {
    if (stored->block_hash != first.block_hash)
      return fail(Errc::rejected, fmt::format("block {}: a proof of another block at this height is stored", first.height));
    // A stored proof of the first blocks only (a range cut at the trace budget) is the first
    // part of the answer; one reaching past the last block is not a proof of these.
    if (std::max(stored->height, stored->last_height) > last.height)
      return fail(Errc::rejected, fmt::format("block {}: the stored proof covers blocks {}..{}, not {}..{}", first.height,
                                              stored->height, stored->last_height, first.height, last.height));
    out.line = std::move(*stored);
    out.already_stored = true;
    return out;
  }
  std::vector<codec::Block> blocks;
  for (const auto& exec : execs) {
    codec::Block block = ROLLUP_TRY(committed_block(exec.height));
    if (block.hash != exec.block_hash)
      return fail(Errc::rejected, fmt::format("block {}: the exec line names {}, the contract committed {}", exec.height,
                                              to_hex(exec.block_hash), to_hex(block.hash)));
    blocks.push_back(std::move(block));
  }
  ROLLUP_TRY(replay_to(first.height - 1));
  auto proof = ROLLUP_TRY(air::prove_range(*state_, blocks, params_, options_));
  state_height_ = proof.last_height;
  const vm::ExecClaim& proven_last = execs[proof.last_height - first.height];
  if (proof.pre_root != first.pre_root || proof.post_root != proven_last.post_root)
    return fail(Errc::bad_input, fmt::format("blocks {}..{}: the exec lines' roots differ from the proven transition "
                                             "(pre {}, post {})", first.height, proven_last.height,
                                             to_hex(proof.pre_root), to_hex(proof.post_root)));
  out.line = proof_line_of(proof);
  ROLLUP_TRY(store_.put(out.line));
  out.figures = std::move(proof);
  return out;
}

// ---- Verifier

std::string to_json(const Verdict& v) {
  const std::string last = v.last_height > v.height ? fmt::format(R"("last_height":{},)", v.last_height) : "";
  std::string out = fmt::format(R"({{"kind":"verdict","v":1,"height":{},{}"valid":{},"security_bits":{},"verify_ms":{:.2f})",
                                v.height, last, v.valid, v.security_bits, v.verify_ms);
  if (!v.valid) out += R"(,"reason":)" + codec::Json(v.reason).dump();
  return out + "}";
}

VerifierSession::VerifierSession(store::Db& db, l1::Contract& contract, unsigned min_security_bits)
    : min_security_bits_(min_security_bits), contract_(&contract), store_(db) {}

Result<std::unique_ptr<VerifierSession>> VerifierSession::open(store::Db& db, l1::Contract& contract,
                                                              unsigned min_security_bits) {
  std::unique_ptr<VerifierSession> s(new VerifierSession(db, contract, min_security_bits));
  auto cfg = ROLLUP_TRY(s->contract_->config());
  s->params_ = vm::params_of(cfg);
  s->sequencer_ = cfg.sequencer;
  s->genesis_root_ = cfg.genesis_root;
  return s;
}

void VerifierSession::remember_block(codec::Block block) {
  const std::uint64_t h = block.height;
  stream_blocks_.insert_or_assign(h, std::move(block));
  // Proofs follow their blocks closely; old blocks are not needed again.
  while (stream_blocks_.size() > 4096) stream_blocks_.erase(stream_blocks_.begin());
}

Result<std::optional<VerifierSession::Trusted>> VerifierSession::trusted_after(std::uint64_t height) {
  // Walk down to a state this verifier trusts, then verify the stored proofs back up from it.
  std::vector<ProofLine> chain;
  std::optional<Trusted> base;
  std::optional<std::vector<l1::RootRecord>> roots;
  for (std::uint64_t k = height;; --k) {
    if (k == 0) {
      if (!genesis_keys_) genesis_keys_ = l1::genesis_keys(ROLLUP_TRY(contract_->genesis()));
      base = Trusted{genesis_root_, *genesis_keys_};
      break;
    }
    if (auto it = verified_.find(k); it != verified_.end()) {
      base = it->second;
      break;
    }
    if (!roots) roots = ROLLUP_TRY(contract_->roots());
    const auto r = std::find_if(roots->begin(), roots->end(), [&](const l1::RootRecord& rec) {
      return rec.height == k;  // the contract holds verified roots only
    });
    if (r != roots->end()) {
      base = Trusted{r->root, r->keys};
      break;
    }
    auto stored = ROLLUP_TRY(store_.get_ending(k));
    if (!stored) return std::optional<Trusted>{};
    k = stored->height;  // a range proof: continue below its first block
    chain.push_back(std::move(*stored));
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    Verdict ignored;
    if (ROLLUP_TRY(check(*it, *base, ignored))) return std::optional<Trusted>{};
    base = Trusted{it->post_root, it->post_keys};
    verified_[it->last_height] = *base;
  }
  return base;
}

Result<std::optional<std::string>> VerifierSession::check(const ProofLine& line, const Trusted& pre, Verdict& verdict) {
  using Why = std::optional<std::string>;
  if (line.pre_root != pre.root) return Why("its pre-state root is not the state after the block below");
  if (line.pre_keys != pre.keys) return Why("its pre-block key set is not the one after the block below");
  std::vector<codec::Block> blocks;
  for (std::uint64_t h = line.height; h <= line.last_height; ++h) {
    auto committed = ROLLUP_TRY(l1::committed_block(*contract_, h));
    auto streamed = stream_blocks_.find(h);
    const std::string which = h == line.height ? "the stream's block" : fmt::format("the stream's block {}", h);
    // A stream block stands in for the contract's, so it must pass the contract's own check of
    // who signed it: anyone can write a block line, only the sequencer can sign one.
    if (streamed != stream_blocks_.end() && !l1::check_sequencer_signature(streamed->second, sequencer_))
      return Why(which + " is not signed by the contract's sequencer");
    if (committed && streamed != stream_blocks_.end() && streamed->second.hash != committed->hash)
      return Why(which + " differs from the contract's");
    if (committed) blocks.push_back(std::move(*committed));
    else if (streamed != stream_blocks_.end()) blocks.push_back(streamed->second);
    else return Why(fmt::format("no block {} on the contract or the stream", h));
  }
  const RangeProofClaim claim{line.height, line.last_height, line.block_hash, line.pre_root, line.post_root, pre.keys};
  auto report = ROLLUP_TRY(verify_range_proof(blocks, params_, claim, line.proof, min_security_bits_));
  if (!report) return Why(report.error().message());
  if (report->post_keys != line.post_keys) return Why("its post-block key set is not the one the proof proves");
  verdict.security_bits = report->security_bits;
  verdict.verify_ms = report->verify_ms;
  return Why{};
}

Result<Verdict> VerifierSession::verify(const ProofLine& line) {
  Verdict v;
  v.height = line.height;
  v.last_height = line.last_height;
  auto pre = ROLLUP_TRY(trusted_after(line.height - 1));
  if (!pre) {
    v.reason = fmt::format("no trusted state after block {}: not verified here or by the contract, and no "
                           "stored proof chain reaches it", line.height - 1);
    return v;
  }
  if (auto why = ROLLUP_TRY(check(line, *pre, v))) {
    v.reason = *why;
    return v;
  }
  v.valid = true;
  verified_[line.last_height] = Trusted{line.post_root, line.post_keys};
  return v;
}

}  // namespace rollup::air
