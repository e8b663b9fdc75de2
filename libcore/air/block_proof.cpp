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
  h.claims.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint8_t b = 0;
    r.u8(b);
    auto c = decode_claim(b);
    if (!c) return reject(c.error().message);
    h.claims.push_back(*c);
  }
  for (Digest* d : {&h.sub_pre_state, &h.sub_post_state, &h.sub_pre_keys, &h.sub_post_keys}) {
    std::array<std::uint8_t, 32> raw{};
    if (!r.raw(raw)) return reject("truncated subtree roots");
    auto digest = hash::digest_from_bytes(raw);
    if (!digest) return reject("a subtree root is not a canonical digest");
    *d = *digest;
  }
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
  pub.pre_root = claim.pre_root;
  pub.post_root = claim.post_root;
  pub.pre_keys = claim.pre_keys;
  pub.depth = header.depth;
  pub.sub_pre_state = header.sub_pre_state;
  pub.sub_post_state = header.sub_post_state;
  pub.sub_pre_keys = header.sub_pre_keys;
  pub.sub_post_keys = header.sub_post_keys;
  pub.post_keys = {hash::digest_bytes(lift_root(header.sub_post_keys, header.depth)),
                   claim.pre_keys.count + program->created};
  // The subtree roots stand for the full roots only if they lift to them (collision resistance
  // of RPO: every leaf outside the subtree is then empty).
  if (hash::digest_bytes(lift_root(header.sub_pre_state, header.depth)) != claim.pre_root)
    return reject("the proof's pre-state does not lift to the claimed pre-state root");
  if (hash::digest_bytes(lift_root(header.sub_post_state, header.depth)) != claim.post_root)
    return reject("the proof's post-state does not lift to the claimed post-state root");
  if (hash::digest_bytes(lift_root(header.sub_pre_keys, header.depth)) != claim.pre_keys.root)
    return reject("the proof's key set does not lift to the claimed pre-block key set");
  if (pub.post_keys.count >= (std::uint64_t{1} << header.depth))
    return reject("the accounts do not fit the proof's subtree depth");

  RollupAir air(pub, std::move(program->ops));
  stark::ProofOptions floor;
  floor.min_security_bits = min_security_bits;
  auto verified = stark::verify(air, stark_bytes, floor);
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

ProofLine proof_line_of(const BlockProof& p) {
  return ProofLine{p.height, p.block_hash, p.pre_root, p.post_root, p.pre_keys, p.post_keys,
                   p.security_bits, static_cast<std::uint64_t>(p.prove_ms), p.bytes};
}

std::string to_json(const ProofLine& p) {
  return fmt::format(
      R"({{"kind":"proof","v":1,"height":{},"block_hash":"{}","pre_root":"{}","post_root":"{}",)"
      R"("pre_keys":{{"root":"{}","accounts":{}}},"post_keys":{{"root":"{}","accounts":{}}},)"
      R"("security_bits":{},"size":{},"prove_ms":{},"proof":"{}"}})",
      p.height, to_hex(p.block_hash), to_hex(p.pre_root), to_hex(p.post_root), to_hex(p.pre_keys.root),
      p.pre_keys.count, to_hex(p.post_keys.root), p.post_keys.count, p.security_bits, p.proof.size(),
      p.prove_ms, stark::to_base64(p.proof));
}

Result<ProofLine> parse_proof_line(const codec::Json& object) {
  codec::FieldReader f(object, "proof");
  ProofLine p;
  ROLLUP_TRY(f.string("kind"));
  ROLLUP_TRY(f.u53("v"));
  p.height = ROLLUP_TRY(f.u53("height", 1));
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
