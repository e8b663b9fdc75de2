#include "stark/proof.hpp"

#include <sodium.h>

#include <algorithm>

#include "crypto/crypto.hpp"
#include "stark/options.hpp"

namespace rollup::stark {
namespace {

constexpr std::size_t kDigestSize = 32, kFeltSize = 8, kExtSize = 16;

std::size_t fri_layer_path_length(const ProofShape& s, unsigned layer) {
  // Layer i has lde_size / 4^i points in lde_size / 4^(i+1) leaves.
  return s.log_lde_size - 2 * layer - 2;
}

void put_felt(ByteWriter& w, Felt v) { w.u64(v.value()); }
void put_ext(ByteWriter& w, Ext2 v) { w.u64(v.real().value()).u64(v.imag().value()); }
void put_digests(ByteWriter& w, std::span<const Digest> ds) {
  for (const auto& d : ds) w.raw(d);
}

// Reads what the writer wrote; the total size was checked first, so a short read is a bug in
// the layout arithmetic and is still reported rather than trusted.
class ProofReader {
 public:
  explicit ProofReader(std::span<const std::uint8_t> bytes) : r_(bytes) {}
  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }

  Felt felt(const char* what) {
    std::uint64_t v = 0;
    if (!r_.u64(v)) return bad(what, "truncated");
    if (v >= Felt::kModulus) return bad(what, "non-canonical field element");
    return Felt(v);
  }
  Ext2 ext(const char* what) {
    Felt re = felt(what);
    Felt im = felt(what);
    return {re, im};
  }
  Digest digest(const char* what) {
    Digest d{};
    if (!r_.raw(d)) bad(what, "truncated");
    return d;
  }
  std::uint64_t u64(const char* what) {
    std::uint64_t v = 0;
    if (!r_.u64(v)) bad(what, "truncated");
    return v;
  }
  std::vector<Ext2> exts(std::size_t n, const char* what) {
    std::vector<Ext2> out(n);
    for (auto& e : out) e = ext(what);
    return out;
  }
  std::vector<Digest> digests(std::size_t n, const char* what) {
    std::vector<Digest> out(n);
    for (auto& d : out) d = digest(what);
    return out;
  }
  bool done() const { return r_.done(); }

 private:
  Felt bad(const char* what, const char* reason) {
    if (ok_) why_ = std::string(what) + ": " + reason;
    ok_ = false;
    return Felt();
  }
  ByteReader r_;
  bool ok_ = true;
  std::string why_;
};

}  // namespace

Result<ProofShape> proof_shape(const ProofParams& p) {
  auto bad = [](const std::string& what) {
    return fail(Errc::bad_input, "proof parameters: " + what);
  };
  if (p.log_blowup < 1 || p.log_blowup > 6) return bad("blowup must be 2^1..2^6");
  if (p.num_queries < 1 || p.num_queries > 255) return bad("query count must be 1..255");
  if (p.grinding_bits > 32) return bad("grinding bits must be at most 32");
  if (p.log_max_remainder > 10) return bad("remainder size must be at most 2^10");
  if (p.log_trace_length < 3 || p.log_trace_length > 28)
    return bad("trace length must be 2^3..2^28");
  if (p.log_trace_length + p.log_blowup > field::kTwoAdicity)
    return bad("LDE domain exceeds the field's two-adic subgroup");
  if (p.trace_width < 1 || p.trace_width > 255) return bad("trace width must be 1..255");
  if (p.num_segments < 1 || p.num_segments > (1u << p.log_blowup))
    return bad("composition segments must be 1..blowup");

  ProofShape s;
  s.log_lde_size = p.log_trace_length + p.log_blowup;
  s.lde_size = std::size_t{1} << s.log_lde_size;
  if (p.num_queries > s.lde_size / 2) return bad("more queries than half the LDE domain");
  // Fold until the degree bound n / 4^layers is at most the remainder limit, but never past a
  // bound of 1: the remainder times 4^layers must equal n exactly, or FRI would test a looser
  // degree bound than the one the security estimate assumes. (A limit of 1 with odd log n
  // therefore ends at a remainder of 2.)
  s.fri_layers =
      p.log_trace_length > p.log_max_remainder
          ? std::min((p.log_trace_length - p.log_max_remainder + 1) / 2, p.log_trace_length / 2)
          : 0;
  s.remainder_size = std::size_t{1} << (p.log_trace_length - 2 * s.fri_layers);

  s.query_size = p.trace_width * kFeltSize + s.log_lde_size * kDigestSize +
                 p.num_segments * kExtSize + s.log_lde_size * kDigestSize;
  for (unsigned i = 0; i < s.fri_layers; ++i)
    s.query_size += kFoldingFactor * kExtSize + fri_layer_path_length(s, i) * kDigestSize;
  s.encoded_size = kProofHeaderSize + 2 * kDigestSize +
                   (2 * p.trace_width + p.num_segments) * kExtSize + s.fri_layers * kDigestSize +
                   s.remainder_size * kExtSize + 8 + p.num_queries * s.query_size;
  if (s.encoded_size > kMaxProofSize) return bad("encoded proof would exceed the size limit");
  s.security_bits =
      conjectured_security_bits(p.log_blowup, p.num_queries, p.grinding_bits, s.log_lde_size);
  return s;
}

Bytes encode_params(const ProofParams& p) {
  ByteWriter w;
  w.raw(kProofMagic).u8(kProofVersion).u8(kFoldingFactor);
  for (unsigned v : {p.log_blowup, p.num_queries, p.grinding_bits, p.log_max_remainder,
                     p.log_trace_length, p.trace_width, p.num_segments})
    w.u8(static_cast<std::uint8_t>(v));
  return w.take();
}

Result<Bytes> serialize(const Proof& proof) {
  auto shape = proof_shape(proof.params);
  if (!shape) return fail(Errc::internal, shape.error().message);
  const auto& p = proof.params;
  auto bad = [] { return fail(Errc::internal, "proof vectors do not match its parameters"); };
  if (proof.ood_current.size() != p.trace_width || proof.ood_next.size() != p.trace_width ||
      proof.ood_composition.size() != p.num_segments ||
      proof.fri_roots.size() != shape->fri_layers ||
      proof.fri_remainder.size() != shape->remainder_size || proof.queries.size() != p.num_queries)
    return bad();

  ByteWriter w;
  w.raw(encode_params(p));
  w.raw(proof.trace_root).raw(proof.composition_root);
  for (auto v : proof.ood_current) put_ext(w, v);
  for (auto v : proof.ood_next) put_ext(w, v);
  for (auto v : proof.ood_composition) put_ext(w, v);
  put_digests(w, proof.fri_roots);
  for (auto v : proof.fri_remainder) put_ext(w, v);
  w.u64(proof.pow_nonce);
  for (const auto& q : proof.queries) {
    if (q.trace_row.size() != p.trace_width || q.trace_path.size() != shape->log_lde_size ||
        q.composition_row.size() != p.num_segments ||
        q.composition_path.size() != shape->log_lde_size || q.fri.size() != shape->fri_layers)
      return bad();
    for (auto v : q.trace_row) put_felt(w, v);
    put_digests(w, q.trace_path);
    for (auto v : q.composition_row) put_ext(w, v);
    put_digests(w, q.composition_path);
    for (unsigned i = 0; i < shape->fri_layers; ++i) {
      if (q.fri[i].path.size() != fri_layer_path_length(*shape, i)) return bad();
      for (auto v : q.fri[i].values) put_ext(w, v);
      put_digests(w, q.fri[i].path);
    }
  }
  if (w.bytes().size() != shape->encoded_size)
    return fail(Errc::internal, "proof encoding size disagrees with its shape");
  return w.take();
}

Result<Proof> deserialize(std::span<const std::uint8_t> bytes) {
  auto reject = [](const std::string& why) {
    return fail(Errc::rejected, "proof encoding: " + why);
  };
  if (bytes.size() < kProofHeaderSize) return reject("truncated header");
  if (!std::equal(kProofMagic.begin(), kProofMagic.end(), bytes.begin()))
    return reject("bad magic");
  if (bytes[4] != kProofVersion) return reject("unsupported version " + std::to_string(bytes[4]));
  if (bytes[5] != kFoldingFactor) return reject("unsupported FRI folding factor");
  Proof proof;
  auto& p = proof.params;
  p.log_blowup = bytes[6];
  p.num_queries = bytes[7];
  p.grinding_bits = bytes[8];
  p.log_max_remainder = bytes[9];
  p.log_trace_length = bytes[10];
  p.trace_width = bytes[11];
  p.num_segments = bytes[12];
  auto shape = proof_shape(p);
  if (!shape) return reject(shape.error().message);
  if (bytes.size() < shape->encoded_size)
    return reject("truncated: " + std::to_string(bytes.size()) + " bytes, parameters imply " +
                  std::to_string(shape->encoded_size));
  if (bytes.size() > shape->encoded_size)
    return reject("trailing bytes: " + std::to_string(bytes.size()) + " bytes, parameters imply " +
                  std::to_string(shape->encoded_size));

  ProofReader r(bytes.subspan(kProofHeaderSize));
  proof.trace_root = r.digest("trace root");
  proof.composition_root = r.digest("composition root");
  proof.ood_current = r.exts(p.trace_width, "ood trace");
  proof.ood_next = r.exts(p.trace_width, "ood trace next");
  proof.ood_composition = r.exts(p.num_segments, "ood composition");
  proof.fri_roots = r.digests(shape->fri_layers, "fri root");
  proof.fri_remainder = r.exts(shape->remainder_size, "fri remainder");
  proof.pow_nonce = r.u64("pow nonce");
  proof.queries.resize(p.num_queries);
  for (auto& q : proof.queries) {
    q.trace_row.resize(p.trace_width);
    for (auto& v : q.trace_row) v = r.felt("trace opening");
    q.trace_path = r.digests(shape->log_lde_size, "trace path");
    q.composition_row = r.exts(p.num_segments, "composition opening");
    q.composition_path = r.digests(shape->log_lde_size, "composition path");
    q.fri.resize(shape->fri_layers);
    for (unsigned i = 0; i < shape->fri_layers; ++i) {
      for (auto& v : q.fri[i].values) v = r.ext("fri opening");
      q.fri[i].path = r.digests(fri_layer_path_length(*shape, i), "fri path");
    }
    if (!r.ok()) break;
  }
  if (!r.ok()) return reject(r.why());
  if (!r.done()) return reject("layout mismatch");
  return proof;
}

std::vector<std::pair<std::string, std::size_t>> proof_sections(const ProofParams& p) {
  std::vector<std::pair<std::string, std::size_t>> out;
  auto shape = proof_shape(p);
  if (!shape) return out;
  std::size_t at = 0;
  auto add = [&](std::string name, std::size_t size) {
    out.emplace_back(std::move(name), at);
    at += size;
  };
  add("header", kProofHeaderSize);
  add("trace_root", kDigestSize);
  add("composition_root", kDigestSize);
  add("ood", (2 * p.trace_width + p.num_segments) * kExtSize);
  add("fri_roots", shape->fri_layers * kDigestSize);
  add("fri_remainder", shape->remainder_size * kExtSize);
  add("pow_nonce", 8);
  for (unsigned q = 0; q < p.num_queries; ++q) add("query" + std::to_string(q), shape->query_size);
  return out;
}

std::string to_base64(std::span<const std::uint8_t> bytes) {
  crypto::ensure_sodium();
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // the encoded length counts the terminating NUL
  return out;
}

Result<Bytes> from_base64(std::string_view text) {
  crypto::ensure_sodium();
  Bytes out(text.size() / 4 * 3 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return fail(Errc::bad_input, "invalid base64");
  out.resize(len);
  // Canonical form only: the decoder tolerates nonzero bits in the last symbol's padding.
  if (to_base64(out) != text) return fail(Errc::bad_input, "non-canonical base64");
  return out;
}

}  // namespace rollup::stark
