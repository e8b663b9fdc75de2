#include "air/block_proof.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "stark/prover.hpp"
#include "stark/verifier.hpp"

namespace rollup::air {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::array<std::uint8_t, 4> kMagic = {'R', 'B', 'L', 'K'};
constexpr std::uint8_t kVersion = 1;
constexpr std::array<std::uint8_t, 4> kRangeMagic = {'R', 'R', 'N', 'G'};
constexpr std::uint8_t kRangeVersion = 1;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::unexpected<Error> reject(const std::string& why) {
  return fail(Errc::rejected, "block proof rejected: " + why);
}

// Signature checks dominate a verification; a few threads are worth their start-up.
unsigned verify_threads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 4u); }

Status check_block(const codec::Block& block, const vm::RollupParams& params) {
  if (block.compute_hash() != block.hash) return reject("the block's hash does not match its contents");
  if (const auto* ns = block.find_namespace(params.namespace_id); ns && codec::tx_list_hash(ns->txs) != ns->tx_hash)
    return reject("the namespace's tx-list hash does not match its txs");
  return {};
}

/// `count` one-byte receipt claims (the caller has checked that the bytes are there).
Status read_claims(ByteReader& r, std::uint32_t count, std::vector<ReceiptClaim>& out) {
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint8_t b = 0;
    r.u8(b);
    auto c = decode_claim(b);
    if (!c) return reject(c.error().message);
    out.push_back(*c);
  }
  return {};
}

Status read_subtree_roots(ByteReader& r, std::initializer_list<Digest*> roots) {
  for (Digest* d : roots) {
    std::array<std::uint8_t, 32> raw{};
    if (!r.raw(raw)) return reject("truncated subtree roots");
    auto digest = hash::digest_from_bytes(raw);
    if (!digest) return reject("a subtree root is not a canonical digest");
    *d = *digest;
  }
  return {};
}

/// Sets the public values that block and range proofs share and checks that the proof's
/// subtree roots stand for the claimed roots. They do only if they lift to them (collision
/// resistance of RPO: every leaf outside the subtree is then empty). `span` names what the
/// proof covers in messages ("block" or "range").
template <class Header>
Status bind_subtree_roots(BlockPublics& pub, const Header& header, const Hash32& pre_root,
                          const Hash32& post_root, const KeyCommitment& pre_keys,
                          std::uint64_t created, std::string_view span) {
  pub.pre_root = pre_root;
  pub.post_root = post_root;
  pub.pre_keys = pre_keys;
  pub.depth = header.depth;
  pub.sub_pre_state = header.sub_pre_state;
  pub.sub_post_state = header.sub_post_state;
  pub.sub_pre_keys = header.sub_pre_keys;
  pub.sub_post_keys = header.sub_post_keys;
  pub.post_keys = {hash::digest_bytes(lift_root(header.sub_post_keys, header.depth)), pre_keys.count + created};
  if (hash::digest_bytes(lift_root(header.sub_pre_state, header.depth)) != pre_root)
    return reject("the proof's pre-state does not lift to the claimed pre-state root");
  if (hash::digest_bytes(lift_root(header.sub_post_state, header.depth)) != post_root)
    return reject("the proof's post-state does not lift to the claimed post-state root");
  if (hash::digest_bytes(lift_root(header.sub_pre_keys, header.depth)) != pre_keys.root)
    return reject(fmt::format("the proof's key set does not lift to the claimed pre-{} key set", span));
  if (pub.post_keys.count >= (std::uint64_t{1} << header.depth))
    return reject("the accounts do not fit the proof's subtree depth");
  return {};
}

// Rollup proofs are made with the standard options (ProveOptions{}.stark); the verifiers pin
// them, so that no prover can trade queries for grinding (docs/stark.md §7).
stark::VerifyOptions stark_options(unsigned min_security_bits) {
  auto options = stark::VerifyOptions::pinned_to(ProveOptions{}.stark);
  options.min_security_bits = min_security_bits;
  return options;
}

}  // namespace

KeyCommitment genesis_keys(const std::vector<l1::GenesisAccount>& genesis) {
  std::vector<PublicKey> keys;
  keys.reserve(genesis.size());
  for (const auto& g : genesis) keys.push_back(g.key);
  return KeyTree::from_keys(keys, 2).commitment();
}

Bytes encode_proof(const ProofHeader& h, std::span<const std::uint8_t> stark_proof) {
  ByteWriter w;
  w.raw(kMagic).u8(kVersion).u8(static_cast<std::uint8_t>(h.depth)).u32(static_cast<std::uint32_t>(h.claims.size()));
  for (const auto& c : h.claims) w.u8(encode_claim(c));
  for (const Digest* d : {&h.sub_pre_state, &h.sub_post_state, &h.sub_pre_keys, &h.sub_post_keys})
    w.raw(hash::digest_bytes(*d));
  w.raw(stark_proof);
  return w.take();
}

Result<std::pair<ProofHeader, std::span<const std::uint8_t>>> decode_proof(std::span<const std::uint8_t> bytes) {
  ByteReader r(bytes);
  std::array<std::uint8_t, 4> magic{};
  std::uint8_t version = 0, depth = 0;
  std::uint32_t count = 0;
  if (!r.raw(magic) || magic != kMagic) return reject("not a block proof (magic)");
  if (!r.u8(version) || version != kVersion) return reject("unknown block proof version");
  if (!r.u8(depth) || !valid_depth(depth)) return reject("invalid subtree depth");
  if (!r.u32(count) || count > r.remaining()) return reject("truncated receipt claims");
  ProofHeader h;
  h.depth = depth;
  ROLLUP_TRY(read_claims(r, count, h.claims));
  ROLLUP_TRY(read_subtree_roots(r, {&h.sub_pre_state, &h.sub_post_state, &h.sub_pre_keys, &h.sub_post_keys}));
  const std::size_t header = bytes.size() - r.remaining();
  return std::pair{std::move(h), bytes.subspan(header)};
}

Result<BlockProofReport> verify_block_proof(const codec::Block& block, const vm::RollupParams& params,
                                            const BlockProofClaim& claim,
                                            std::span<const std::uint8_t> proof,
                                            unsigned min_security_bits) {
  const auto start = Clock::now();
  if (block.height != claim.height) return reject("the block is not at the claimed height");
  if (block.hash != claim.block_hash) return reject("the block is not the claimed block");
  ROLLUP_TRY(check_block(block, params));
  auto [header, stark_bytes] = ROLLUP_TRY(decode_proof(proof));

  // What the verifier trusts: the block's data, and signature bits of its own.
  const auto& txs = vm::rollup_txs(block, params.namespace_id);
  const auto signatures = vm::check_signatures(txs, params.chain_id, verify_threads());
  auto program = build_program(block, params, signatures, header.claims);
  if (!program) return reject(program.error().message);

  BlockPublics pub;
  pub.chain_id = params.chain_id;
  pub.namespace_id = params.namespace_id;
  pub.height = claim.height;
  pub.block_hash = claim.block_hash;
  ROLLUP_TRY(bind_subtree_roots(pub, header, claim.pre_root, claim.post_root, claim.pre_keys,
                                program->created, "block"));

  RollupAir air(pub, std::move(program->ops));
  auto verified = stark::verify(air, stark_bytes, stark_options(min_security_bits));
  if (!verified) {
    // A shape the STARK cannot take (a trace too long for its subtree depth) is the proof's
    // fault as much as a bad opening; only running out of memory is not a verdict.
    if (verified.error().code == Errc::internal) return std::unexpected(verified.error());
    return reject(verified.error().message);
  }
  BlockProofReport report;
  report.security_bits = verified->security_bits;
  report.proof_bytes = proof.size();
  report.withdrawals = std::move(program->withdrawals);
  report.failed_deposits = std::move(program->failed_deposits);
  report.receipts = std::move(program->receipts);
  report.post_keys = pub.post_keys;
  report.verify_ms = ms_since(start);
  return report;
}

Result<BlockProof> prove_block(ProverState& state, const codec::Block& block,
                               const vm::RollupParams& params, const ProveOptions& options) {
  const auto start = Clock::now();
  const unsigned threads = std::max(1u, options.threads);
  const auto& txs = vm::rollup_txs(block, params.namespace_id);
  const auto signatures = vm::check_signatures(txs, params.chain_id, threads);
  auto w = ROLLUP_TRY(make_witness(state, block, params, signatures, threads));
  BlockProof out;
  out.witness_ms = ms_since(start);
  out.height = block.height;
  out.last_height = block.height;
  out.block_hash = block.hash;
  out.pre_root = w.publics.pre_root;
  out.post_root = w.publics.post_root;
  out.pre_keys = w.publics.pre_keys;
  out.post_keys = w.publics.post_keys;
  out.depth = w.publics.depth;
  out.ops = w.program.ops.size();

  const auto t_trace = Clock::now();
  RollupAir air(w.publics, w.program.ops);
  stark::Trace trace = build_trace(air, w.ops, threads);
  out.trace_ms = ms_since(t_trace);
  out.trace_rows = trace.length();
  out.trace_width = trace.width();
  auto proof = stark::prove(air, trace, options.stark, threads);
  if (!proof) {
    // The honest prover's trace always satisfies the AIR: a refusal is a bug here.
    if (proof.error().code == Errc::bad_input)
      return fail(Errc::internal, fmt::format("block {}: {}", block.height, proof.error().message));
    return std::unexpected(proof.error());
  }
  out.timings = proof->timings;
  auto stark_bytes = ROLLUP_TRY(stark::serialize(*proof));
  out.security_bits = stark::proof_shape(proof->params)->security_bits;
  ProofHeader header{w.publics.depth, w.claims, w.publics.sub_pre_state, w.publics.sub_post_state,
                     w.publics.sub_pre_keys, w.publics.sub_post_keys};
  out.bytes = encode_proof(header, stark_bytes);
  state = ProverState(std::move(w.post_state), std::move(w.post_keys));
  out.prove_ms = ms_since(start);
  return out;
}

// ---- Range proofs (docs/air.md §13).

std::uint64_t proof_block_count(std::span<const std::uint8_t> proof) {
  ByteReader r(proof);
  std::array<std::uint8_t, 4> magic{};
  std::uint8_t version = 0, depth = 0;
  std::uint32_t blocks = 0;
  if (!r.raw(magic) || magic != kRangeMagic || !r.u8(version) || !r.u8(depth) || !r.u32(blocks) || blocks < 2)
    return 1;
  return blocks;
}

Bytes encode_range_proof(const RangeProofHeader& h, std::span<const std::uint8_t> stark_proof) {
  ByteWriter w;
  w.raw(kRangeMagic).u8(kRangeVersion).u8(static_cast<std::uint8_t>(h.depth));
  w.u32(static_cast<std::uint32_t>(h.claims.size()));
  for (const auto& block : h.claims) {
    w.u32(static_cast<std::uint32_t>(block.size()));
    for (const auto& c : block) w.u8(encode_claim(c));
  }
  for (const Digest* d : {&h.sub_pre_state, &h.sub_post_state, &h.sub_pre_keys, &h.sub_post_keys})
    w.raw(hash::digest_bytes(*d));
  w.raw(stark_proof);
  return w.take();
}

Result<std::pair<RangeProofHeader, std::span<const std::uint8_t>>> decode_range_proof(
    std::span<const std::uint8_t> bytes) {
  ByteReader r(bytes);
  std::array<std::uint8_t, 4> magic{};
  std::uint8_t version = 0, depth = 0;
  std::uint32_t blocks = 0;
  if (!r.raw(magic) || magic != kRangeMagic) return reject("not a range proof (magic)");
  if (!r.u8(version) || version != kRangeVersion) return reject("unknown range proof version");
  if (!r.u8(depth) || !valid_depth(depth)) return reject("invalid subtree depth");
  // A range has two blocks or more: one block is a block proof, never a range of one.
  if (!r.u32(blocks) || blocks < 2 || blocks > r.remaining() / 4) return reject("invalid block count");
  RangeProofHeader h;
  h.depth = depth;
  h.claims.resize(blocks);
  for (auto& claims : h.claims) {
    std::uint32_t count = 0;
    if (!r.u32(count) || count > r.remaining()) return reject("truncated receipt claims");
    ROLLUP_TRY(read_claims(r, count, claims));
  }
  ROLLUP_TRY(read_subtree_roots(r, {&h.sub_pre_state, &h.sub_post_state, &h.sub_pre_keys, &h.sub_post_keys}));
  const std::size_t header = bytes.size() - r.remaining();
  return std::pair{std::move(h), bytes.subspan(header)};
}

Result<RangeProofReport> verify_range_proof(std::span<const codec::Block> blocks,
                                            const vm::RollupParams& params,
                                            const RangeProofClaim& claim,
                                            std::span<const std::uint8_t> proof,
                                            unsigned min_security_bits) {
  const auto start = Clock::now();
  if (blocks.empty() || claim.last_height < claim.first_height ||
      claim.last_height - claim.first_height + 1 != blocks.size())
    return reject("the blocks are not the claimed range");
  for (std::size_t i = 0; i < blocks.size(); ++i)
    if (blocks[i].height != claim.first_height + i) return reject("the blocks are not the claimed heights, in order");

  if (proof.size() >= 4 && std::equal(kMagic.begin(), kMagic.end(), proof.begin())) {
    // A single-block proof is the range of one block.
    if (blocks.size() != 1) return reject("a block proof covers one block, not a range");
    BlockProofClaim c{claim.first_height, blocks[0].hash, claim.pre_root, claim.post_root, claim.pre_keys};
    auto one = ROLLUP_TRY(verify_block_proof(blocks[0], params, c, proof, min_security_bits));
    RangeProofReport report;
    report.security_bits = one.security_bits;
    report.proof_bytes = one.proof_bytes;
    report.post_keys = one.post_keys;
    report.blocks.push_back({blocks[0].height, std::move(one.withdrawals), std::move(one.failed_deposits),
                             std::move(one.receipts)});
    report.verify_ms = ms_since(start);
    return report;
  }
  auto [header, stark_bytes] = ROLLUP_TRY(decode_range_proof(proof));
  if (header.claims.size() != blocks.size()) return reject("the proof covers another number of blocks");

  RangeProofReport report;
  std::vector<Op> ops;
  std::uint64_t created = 0;
  BlockPublics pub;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const codec::Block& block = blocks[i];
    ROLLUP_TRY(check_block(block, params));
    const auto& txs = vm::rollup_txs(block, params.namespace_id);
    const auto signatures = vm::check_signatures(txs, params.chain_id, verify_threads());
    auto program = build_program(block, params, signatures, header.claims[i]);
    if (!program) return reject(fmt::format("block {}: {}", block.height, program.error().message));
    ops.insert(ops.end(), program->ops.begin(), program->ops.end());
    created += program->created;
    pub.range_hashes.push_back(block.hash);
    report.blocks.push_back({block.height, std::move(program->withdrawals),
                             std::move(program->failed_deposits), std::move(program->receipts)});
  }
  pub.chain_id = params.chain_id;
  pub.namespace_id = params.namespace_id;
  pub.height = claim.first_height;
  pub.block_hash = blocks.front().hash;
  ROLLUP_TRY(bind_subtree_roots(pub, header, claim.pre_root, claim.post_root, claim.pre_keys,
                                created, "range"));

  RollupAir air(pub, std::move(ops));
  auto verified = stark::verify(air, stark_bytes, stark_options(min_security_bits));
  if (!verified) {
    if (verified.error().code == Errc::internal) return std::unexpected(verified.error());
    return reject(verified.error().message);
  }
  report.security_bits = verified->security_bits;
  report.proof_bytes = proof.size();
  report.post_keys = pub.post_keys;
  report.verify_ms = ms_since(start);
  return report;
}

Result<BlockProof> prove_range(ProverState& state, std::span<const codec::Block> blocks,
                               const vm::RollupParams& params, const ProveOptions& options) {
  if (blocks.empty()) return fail(Errc::bad_input, "a range proof needs at least one block");
  if (blocks.size() == 1) return prove_block(state, blocks[0], params, options);
  for (std::size_t i = 1; i < blocks.size(); ++i)
    if (blocks[i].height != blocks[0].height + i)
      return fail(Errc::bad_input, "a range proof's blocks must have consecutive heights");
  const auto start = Clock::now();
  const unsigned threads = std::max(1u, options.threads);

  // The range shares one subtree depth: the one the accounts after the last block need.
  std::vector<std::vector<bool>> signatures;
  vm::State after = state.state();
  for (const auto& block : blocks) {
    signatures.push_back(vm::check_signatures(vm::rollup_txs(block, params.namespace_id), params.chain_id, threads));
    after.apply_block(block, params, signatures.back(), threads);
  }
  const unsigned depth = depth_for(after.size() + 1);
  if (depth == 0) return fail(Errc::internal, "the state outgrows the largest subtree depth");

  // Each block's witness starts where the previous one's ends; the ops concatenate.
  ProverState cur = state;
  BlockPublics pub;
  RangeProofHeader header;
  header.depth = depth;
  std::vector<Op> ops;
  std::vector<OpWitness> witness;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    auto w = ROLLUP_TRY(make_witness(cur, blocks[i], params, signatures[i], threads, nullptr, depth));
    if (i == 0) pub = w.publics;
    pub.post_root = w.publics.post_root;
    pub.post_keys = w.publics.post_keys;
    pub.sub_post_state = w.publics.sub_post_state;
    pub.sub_post_keys = w.publics.sub_post_keys;
    pub.range_hashes.push_back(blocks[i].hash);
    header.claims.push_back(std::move(w.claims));
    ops.insert(ops.end(), w.program.ops.begin(), w.program.ops.end());
    witness.insert(witness.end(), std::make_move_iterator(w.ops.begin()), std::make_move_iterator(w.ops.end()));
    cur = ProverState(std::move(w.post_state), std::move(w.post_keys));
  }
  pub.height = blocks[0].height;
  pub.block_hash = blocks[0].hash;
  header.sub_pre_state = pub.sub_pre_state;
  header.sub_post_state = pub.sub_post_state;
  header.sub_pre_keys = pub.sub_pre_keys;
  header.sub_post_keys = pub.sub_post_keys;

  BlockProof out;
  out.witness_ms = ms_since(start);
  out.height = blocks.front().height;
  out.last_height = blocks.back().height;
  out.block_hash = blocks.front().hash;
  out.pre_root = pub.pre_root;
  out.post_root = pub.post_root;
  out.pre_keys = pub.pre_keys;
  out.post_keys = pub.post_keys;
  out.depth = depth;
  out.ops = ops.size();

  const auto t_trace = Clock::now();
  RollupAir air(pub, std::move(ops));
  stark::Trace trace = build_trace(air, witness, threads);
  out.trace_ms = ms_since(t_trace);
  out.trace_rows = trace.length();
  out.trace_width = trace.width();
  auto proof = stark::prove(air, trace, options.stark, threads);
  if (!proof) {
    if (proof.error().code == Errc::bad_input)
      return fail(Errc::internal, fmt::format("blocks {}..{}: {}", out.height, out.last_height, proof.error().message));
    return std::unexpected(proof.error());
  }
  out.timings = proof->timings;
  auto stark_bytes = ROLLUP_TRY(stark::serialize(*proof));
  out.security_bits = stark::proof_shape(proof->params)->security_bits;
  out.bytes = encode_range_proof(header, stark_bytes);
  state = std::move(cur);
  out.prove_ms = ms_since(start);
  return out;
}

ProofLine proof_line_of(const BlockProof& p) {
  return ProofLine{p.height, std::max(p.height, p.last_height), p.block_hash, p.pre_root, p.post_root, p.pre_keys, p.post_keys,
                   p.security_bits, static_cast<std::uint64_t>(p.prove_ms), p.bytes};
}

std::string to_json(const ProofLine& p) {
  // `last_height` only for a range proof: a single block's line stays as it was.
  const std::string last = p.last_height > p.height ? fmt::format(R"("last_height":{},)", p.last_height) : "";
  return fmt::format(
      R"({{"kind":"proof","v":1,"height":{},{}"block_hash":"{}","pre_root":"{}","post_root":"{}",)"
      R"("pre_keys":{{"root":"{}","accounts":{}}},"post_keys":{{"root":"{}","accounts":{}}},)"
      R"("security_bits":{},"size":{},"prove_ms":{},"proof":"{}"}})",
      p.height, last, to_hex(p.block_hash), to_hex(p.pre_root), to_hex(p.post_root), to_hex(p.pre_keys.root),
      p.pre_keys.count, to_hex(p.post_keys.root), p.post_keys.count, p.security_bits, p.proof.size(),
      p.prove_ms, stark::to_base64(p.proof));
}

Result<ProofLine> parse_proof_line(const codec::Json& object) {
  codec::FieldReader f(object, "proof");
  ProofLine p;
  ROLLUP_TRY(f.string("kind"));
  ROLLUP_TRY(f.u53("v"));
  p.height = ROLLUP_TRY(f.u53("height", 1));
  p.last_height = p.height;
  if (f.has("last_height")) {
    p.last_height = ROLLUP_TRY(f.u53("last_height", 1));
    if (p.last_height <= p.height)
      return fail(Errc::bad_input, "proof: `last_height` must exceed `height` (omit it for one block)");
  }
  p.block_hash = ROLLUP_TRY(f.hex_fixed<32>("block_hash"));
  p.pre_root = ROLLUP_TRY(f.hex_fixed<32>("pre_root"));
  p.post_root = ROLLUP_TRY(f.hex_fixed<32>("post_root"));
  for (auto [name, keys] : {std::pair{"pre_keys", &p.pre_keys}, std::pair{"post_keys", &p.post_keys}}) {
    const codec::Json* o = ROLLUP_TRY(f.object(name));
    codec::FieldReader k(*o, std::string("proof.") + name);
    keys->root = ROLLUP_TRY(k.hex_fixed<32>("root"));
    keys->count = ROLLUP_TRY(k.u53("accounts"));
    ROLLUP_TRY(k.finish());
  }
  p.security_bits = static_cast<unsigned>(ROLLUP_TRY(f.u53("security_bits")));
  const std::uint64_t size = ROLLUP_TRY(f.u53("size"));
  p.prove_ms = ROLLUP_TRY(f.u53("prove_ms"));
  const std::string text = ROLLUP_TRY(f.string("proof"));
  ROLLUP_TRY(f.finish());
  auto bytes = stark::from_base64(text);
  if (!bytes) return fail(Errc::bad_input, "proof: `proof` is not canonical base64");
  if (bytes->size() != size) return fail(Errc::bad_input, "proof: `size` differs from the proof's length");
  p.proof = std::move(*bytes);
  return p;
}

}  // namespace rollup::air
