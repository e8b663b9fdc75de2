#include "rpc/node.hpp"

#include <fmt/format.h>

#include <charconv>

#include "air/block_proof.hpp"
#include "air/proof_cover.hpp"
#include "crypto/crypto.hpp"
#include "rpc/mempool_writer.hpp"
#include "seq/mempool.hpp"
#include "vm/exec_lines.hpp"
#include "vm/history.hpp"
#include "vm/query.hpp"

namespace rollup::rpc {

using codec::Json;

namespace {

using Answer = std::expected<Json, RpcError>;

RpcError rpc_error(Code code, std::string message) { return RpcError{code, std::move(message)}; }

/// A library error as the client sees it: what it sent is wrong (invalid params), what it asked
/// for is not there (not found), or the server could not read its file.
RpcError from_error(const Error& e) {
  switch (e.code) {
    case Errc::usage:
    case Errc::bad_input:
      return rpc_error(Code::invalid_params, e.message);
    case Errc::rejected:
      return rpc_error(Code::not_found, e.message);
    case Errc::io:
      return rpc_error(Code::unavailable, e.message);
    default:
      return rpc_error(Code::internal_error, e.message);
  }
}

// ROLLUP_TRY for the methods: a library error becomes its RpcError; RPC_CHECK passes one on.
#define RPC_TRY(expr)                                                                \
  ({                                                                                 \
    auto&& rpc_try_result = (expr);                                                  \
    if (!rpc_try_result) return std::unexpected(from_error(rpc_try_result.error())); \
    std::move(*rpc_try_result);                                                      \
  })
#define RPC_CHECK(expr)                                                      \
  ({                                                                         \
    auto&& rpc_check_result = (expr);                                        \
    if (!rpc_check_result) return std::unexpected(rpc_check_result.error()); \
    std::move(*rpc_check_result);                                            \
  })

/// Parameters by position (an array) or by name (an object), as JSON-RPC 2.0 allows.
class Params {
 public:
  Params(const Json& params, std::initializer_list<const char*> names)
      : params_(params), names_(names) {}

  /// Refuses more positional parameters than the method has, and names it does not know.
  std::optional<RpcError> check_shape() const {
    if (params_.is_array() && params_.size() > names_.size())
      return rpc_error(Code::invalid_params, fmt::format("at most {} parameters", names_.size()));
    if (params_.is_object())
      for (const auto& [key, value] : params_.items())
        if (std::find_if(names_.begin(), names_.end(), [&](const char* n) { return key == n; }) ==
            names_.end())
          return rpc_error(Code::invalid_params, fmt::format("unknown parameter \"{}\"", key));
    return std::nullopt;
  }
  /// The parameter, or nullptr when it is not given (or given as null).
  const Json* get(std::size_t position) const {
    const Json* value = nullptr;
    if (params_.is_array() && position < params_.size()) value = &params_[position];
    if (params_.is_object()) {
      auto it = params_.find(names_[position]);
      if (it != params_.end()) value = &*it;
    }
    return value && !value->is_null() ? value : nullptr;
  }
  std::expected<const Json*, RpcError> required(std::size_t position) const {
    if (const Json* v = get(position)) return v;
    return std::unexpected(
        rpc_error(Code::invalid_params, fmt::format("missing parameter \"{}\"", names_[position])));
  }
  const char* name(std::size_t position) const { return names_[position]; }

 private:
  const Json& params_;
  std::vector<const char*> names_;
};

std::expected<Hash32, RpcError> parse_hash32(const Json& value, const char* name) {
  if (!value.is_string())
    return std::unexpected(rpc_error(Code::invalid_params,
                                     fmt::format("{}: expected a 0x-prefixed hex string", name)));
  auto bytes = from_hex(value.get<std::string>(), 32);
  if (!bytes)
    return std::unexpected(
        rpc_error(Code::invalid_params, fmt::format("{}: {}", name, bytes.error().message)));
  Hash32 out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

/// A block tag: "latest", "verified", or a height (a JSON integer or its decimal string).
struct Tag {
  enum Kind { latest, verified, height } kind = latest;
  std::uint64_t value = 0;
};

std::expected<Tag, RpcError> parse_tag(const Json* value, const char* name) {
  if (!value) return Tag{};
  if (value->is_number_unsigned()) return Tag{Tag::height, value->get<std::uint64_t>()};
  if (value->is_string()) {
    const auto& text = value->get_ref<const std::string&>();
    if (text == "latest") return Tag{};
    if (text == "verified") return Tag{Tag::verified, 0};
    std::uint64_t h = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), h);
    if (!text.empty() && ec == std::errc() && end == text.data() + text.size())
      return Tag{Tag::height, h};
  }
  return std::unexpected(
      rpc_error(Code::invalid_params,
                fmt::format("{}: expected \"latest\", \"verified\" or a height", name)));
}

std::expected<std::uint64_t, RpcError> parse_height(const Json* value, const char* name) {
  if (value && value->is_number_unsigned()) return value->get<std::uint64_t>();
  auto tag = parse_tag(value, name);
  if (!tag || tag->kind != Tag::height)
    return std::unexpected(
        rpc_error(Code::invalid_params, fmt::format("{}: expected a height", name)));
  return tag->value;
}

Json parse_stored(const std::string& line) {
  // Lines this program wrote itself: a failure here is a corrupt file, reported as internal.
  return Json::parse(line);
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Json error_object(const Json& id, const RpcError& e) {
  return Json{{"jsonrpc", "2.0"},
              {"id", id},
              {"error", {{"code", static_cast<int>(e.code)}, {"message", e.message}}}};
}

// ---- the methods ----------------------------------------------------------------------------

struct Context {
  Reader& reader;
  MempoolWriter* writer;
  vm::SubtreeCache* subtrees;
};

/// What has happened to the block at `height` so far, on the contract and in the file.
struct BlockProgress {
  bool committed = false;
  std::optional<std::string> exec_line;
  bool proven = false;
  bool verified = false;
  std::string status() const {
    if (verified) return "verified";
    if (proven) return "proven";
    if (exec_line) return "executed";
    return committed ? "committed" : "sequenced";
  }
};

Result<BlockProgress> block_progress(Reader& r, std::uint64_t height,
                                     const std::optional<Hash32>& expected_hash) {
  BlockProgress p;
  auto committed = ROLLUP_TRY(r.contract->committed_hash(height));
  p.committed = committed && (!expected_hash || *committed == *expected_hash);
  if (!p.committed) return p;
  p.exec_line = ROLLUP_TRY(vm::exec_line_at(r.db, height));
  p.verified = ROLLUP_TRY(r.contract->latest_root()).height >= height;
  p.proven = p.verified || ROLLUP_TRY(air::proof_covering(r.db, height)).has_value();
  return p;
}

Answer send_transaction(const Params& params, Context& c) {
  const Json* object = RPC_CHECK(params.required(0));
  if (!object->is_object())
    return std::unexpected(rpc_error(Code::invalid_params, "tx: expected a tx object"));
  Json line_object = *object;
  // The same object as a tx line; "kind" may be left out here.
  if (!line_object.contains("kind")) line_object["kind"] = "tx";
  auto parsed = codec::parse_tx(line_object);
  if (!parsed) return std::unexpected(rpc_error(Code::invalid_params, parsed.error().message));
  const codec::Tx& tx = *parsed;
  auto config = RPC_TRY(c.reader.contract->config());
  auto refuse = [](std::string why) {
    return std::unexpected(rpc_error(Code::tx_refused, std::move(why)));
  };
  if (config.frozen)
    return refuse("the contract is frozen: it takes no more blocks (" + config.frozen_reason + ")");
  if (tx.chain_id != config.chain_id)
    return refuse(fmt::format("tx.chain_id: {} is not this rollup's chain id {}", tx.chain_id,
                              config.chain_id));
  if (tx.namespace_id != config.namespace_id)
    return refuse(fmt::format("tx.namespace: {} is not this rollup's namespace {}", tx.namespace_id,
                              config.namespace_id));
  auto account = RPC_TRY(c.reader.accounts->get(tx.from));
  if (tx.nonce < account.nonce)
    return refuse(fmt::format("tx.nonce: {} is below the account's nonce {} (already used)",
                              tx.nonce, account.nonce));
  if (auto ok = crypto::check_key_scheme(config.sig_scheme, tx.from, "tx.from"); !ok) return refuse(ok.error().message);
  if (!vm::tx_signature_valid(tx, vm::params_of(config)))
    return refuse("tx.sig: not a valid signature by tx.from for this rollup");
  seq::MempoolSubmission submission{tx, tx.id(), codec::to_json(tx)};
  const std::string hash = to_hex(submission.hash);
  const bool added = RPC_TRY(c.writer->append(std::move(submission)));
  return Json{{"hash", hash}, {"new", added}};
}

Answer get_transaction(const Params& params, Context& c) {
  const Hash32 hash = RPC_CHECK(parse_hash32(*RPC_CHECK(params.required(0)), "hash"));
  auto record = RPC_TRY(seq::mempool_find(c.reader.db, hash));
  if (!record)
    return std::unexpected(
        rpc_error(Code::not_found, "no tx with this hash was sent to this node"));
  Json out{{"hash", to_hex(hash)}, {"status", "pending"}, {"height", nullptr}, {"index", nullptr}};
  if (!record->height) return out;
  const std::uint64_t height = *record->height;
  out["height"] = height;
  out["index"] = record->position ? Json(*record->position) : Json(nullptr);
  auto logged = RPC_TRY(seq::logged_block_hash(c.reader.db, height));
  auto progress = RPC_TRY(block_progress(c.reader, height, logged));
  out["status"] = progress.status();
  if (progress.exec_line) {
    const Json exec = parse_stored(*progress.exec_line);
    const std::string id = to_hex(hash);
    for (const auto& receipt : exec.value("receipts", Json::array()))
      if (receipt.value("tx", "") == id && receipt.value("status", "") != "ok") {
        out["status"] = "rejected";
        out["reason"] = receipt.value("reason", "failed");
      }
  }
  return out;
}

Result<vm::AccountAnswer> account_at(Context& c, const PublicKey& key, const Tag& tag) {
  Reader& r = c.reader;
  switch (tag.kind) {
    case Tag::latest:
      return vm::query_account(r.db, key, std::nullopt, c.subtrees);
    case Tag::verified:
      return vm::query_account_at(r.db, *r.contract, key, std::nullopt,
                                  ROLLUP_TRY(vm::root_to_check(*r.contract)).height, 1, c.subtrees);
    case Tag::height:
      return vm::query_account_at(r.db, *r.contract, key, std::nullopt, tag.value, 1, c.subtrees);
  }
  return fail(Errc::internal, "unknown tag");
}

Answer get_account(const Params& params, Context& c, bool with_proof) {
  const Json& key_json = *RPC_CHECK(params.required(0));
  if (!key_json.is_string())
    return std::unexpected(rpc_error(Code::invalid_params, "pubkey: expected a 0x-prefixed hex string"));
  auto parsed = key_from_hex(key_json.get<std::string>());
  if (!parsed) return std::unexpected(rpc_error(Code::invalid_params, "pubkey: " + parsed.error().message));
  const PublicKey key = *parsed;
  const auto config = RPC_TRY(c.reader.contract->config());
  if (auto ok = crypto::check_key_scheme(config.sig_scheme, key, "pubkey"); !ok)
    return std::unexpected(rpc_error(Code::invalid_params, ok.error().message));
  const Tag tag = RPC_CHECK(parse_tag(params.get(1), "at"));
  auto answer = RPC_TRY(account_at(c, key, tag));
  Json out = parse_stored(vm::account_to_json(answer, nullptr));
  if (!with_proof) {
    out.erase("kind");
    out.erase("v");
    out.erase("leaf");
    out.erase("siblings");
  }
  return out;
}

std::expected<std::uint64_t, RpcError> block_height(const Tag& tag, Reader& r) {
  switch (tag.kind) {
    case Tag::latest:
      return RPC_TRY(r.contract->height());
    case Tag::verified:
      return RPC_TRY(r.contract->latest_root()).height;
    case Tag::height:
      return tag.value;
  }
  return 0;
}

Answer get_block(const Params& params, Context& c) {
  const Tag tag = RPC_CHECK(parse_tag(RPC_CHECK(params.required(0)), "block"));
  const Json* full_param = params.get(1);
  if (full_param && !full_param->is_boolean())
    return std::unexpected(rpc_error(Code::invalid_params, "full: expected true or false"));
  const bool full = full_param && full_param->get<bool>();
  const std::uint64_t height = RPC_CHECK(block_height(tag, c.reader));
  auto stored = RPC_TRY(c.reader.contract->block_at(height));
  if (!stored)
    return std::unexpected(rpc_error(
        Code::not_found, fmt::format("the contract holds no block at height {}", height)));
  Json body = parse_stored(stored->body);
  body.erase("l1");
  auto progress = RPC_TRY(block_progress(c.reader, height, stored->hash));
  Json out{{"height", height},
           {"hash", to_hex(stored->hash)},
           {"parent", to_hex(stored->parent)},
           {"record", to_hex(stored->record)},
           {"timestamp", body.value("timestamp", Json(0))},
           {"sequencer", body.value("sequencer", Json(""))},
           {"status", progress.status()},
           {"deposit_first", stored->deposit_first},
           {"deposit_count", stored->deposit_count}};
  auto block = RPC_TRY(codec::parse_block(body));
  Json ids = Json::array();
  for (const auto& ns : block.namespaces)
    for (const auto& tx : ns.txs) ids.push_back(to_hex(tx.id()));
  out["tx_count"] = ids.size();
  out["txs"] = std::move(ids);
  if (full) out["block"] = std::move(body);
  return out;
}

Answer get_block_proof(const Params& params, Context& c) {
  const std::uint64_t height = RPC_CHECK(parse_height(RPC_CHECK(params.required(0)), "height"));
  auto proof = RPC_TRY(air::proof_covering(c.reader.db, height));
  if (!proof)
    return std::unexpected(
        rpc_error(Code::not_found, fmt::format("no stored proof covers height {}", height)));
  return parse_stored(air::to_json(*proof));
}

Answer get_receipts(const Params& params, Context& c) {
  const std::uint64_t height = RPC_CHECK(parse_height(RPC_CHECK(params.required(0)), "height"));
  auto line = RPC_TRY(vm::exec_line_at(c.reader.db, height));
  if (!line)
    return std::unexpected(rpc_error(
        Code::not_found, fmt::format("the executor has no exec line for height {}", height)));
  return parse_stored(*line);
}

Answer status(Context& c) {
  auto& r = c.reader;
  auto contract = RPC_TRY(r.contract->status());
  Json out{{"chain_id", contract.config.chain_id},
           {"namespace", contract.config.namespace_id},
           {"sequenced", RPC_TRY(seq::logged_height(r.db))},
           {"committed", contract.height},
           {"executed", RPC_TRY(vm::executor_height(r.db))},
           {"proven", RPC_TRY(air::proven_height(r.db))},
           {"verified", contract.latest_root ? contract.latest_root->height : 0},
           {"verified_root",
            contract.latest_root ? Json(to_hex(contract.latest_root->root)) : Json(nullptr)},
           {"mempool", RPC_TRY(seq::mempool_pending_count(r.db))},
           {"deposits_pending", contract.deposits_pending},
           {"frozen", contract.config.frozen},
           {"dev_mode", contract.config.dev_mode}};
  if (contract.config.frozen) out["frozen_reason"] = contract.config.frozen_reason;
  return out;
}

}  // namespace

// ---- the node -------------------------------------------------------------------------------

Node::Node(std::string db_path, NodeOptions options)
    : db_path_(std::move(db_path)), options_(options), subtrees_(options.cached_accounts) {}

Node::~Node() { stop(); }

Result<std::unique_ptr<Node>> Node::open(const std::string& db_path, NodeOptions options) {
  std::unique_ptr<Node> node(new Node(db_path, options));
  // The writer's connection migrates an older file before any read-only connection opens it.
  node->writer_ = ROLLUP_TRY(MempoolWriter::open(db_path, options.max_group));
  {
    // A file without a contract has nothing to serve: refused at start (exit 1), not per request.
    auto lease = ROLLUP_TRY(node->lease());
    ROLLUP_TRY(lease->contract->config());
  }
  return node;
}

void Node::stop() {
  if (writer_) writer_->stop();
}

Result<Node::Lease> Node::lease() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      auto reader = std::move(pool_.back());
      pool_.pop_back();
      return Lease(*this, std::move(reader));
    }
  }
  auto reader = std::make_unique<Reader>(
      Reader{ROLLUP_TRY(store::Db::open(db_path_, store::OpenMode::read_only)), nullptr, nullptr});
  reader->contract = ROLLUP_TRY(l1::open_contract(reader->db));
  reader->accounts = std::make_unique<wallet::AccountLookup>(reader->db, *reader->contract);
  return Lease(*this, std::move(reader));
}

Node::Lease::~Lease() {
  if (!reader_) return;
  std::lock_guard lock(node_->pool_mutex_);
  node_->pool_.push_back(std::move(reader_));
}

std::expected<Json, RpcError> Node::call(const std::string& method, const Json& params,
                                         Reader& reader) {
  Context c{reader, writer_.get(), &subtrees_};
  auto with = [&](std::initializer_list<const char*> names, auto&& body) -> Answer {
    Params p(params, names);
    if (auto bad = p.check_shape()) return std::unexpected(*bad);
    return body(p);
  };
  if (method == "rollup_sendTransaction")
    return with({"tx"}, [&](const Params& p) { return send_transaction(p, c); });
  if (method == "rollup_getTransaction")
    return with({"hash"}, [&](const Params& p) { return get_transaction(p, c); });
  if (method == "rollup_getAccount")
    return with({"pubkey", "at"}, [&](const Params& p) { return get_account(p, c, false); });
  if (method == "rollup_getProof")
    return with({"pubkey", "at"}, [&](const Params& p) { return get_account(p, c, true); });
  if (method == "rollup_getBlock")
    return with({"block", "full"}, [&](const Params& p) { return get_block(p, c); });
  if (method == "rollup_getBlockProof")
    return with({"height"}, [&](const Params& p) { return get_block_proof(p, c); });
  if (method == "rollup_getReceipts")
    return with({"height"}, [&](const Params& p) { return get_receipts(p, c); });
  if (method == "rollup_status") return with({}, [&](const Params&) { return status(c); });
  return std::unexpected(rpc_error(Code::method_not_found, "unknown method \"" + method + "\""));
}

Json Node::answer(const Json& request, Reader& reader, bool& notification) {
  notification = false;
  if (!request.is_object())
    return error_object(nullptr, rpc_error(Code::invalid_request, "a request is a JSON object"));
  Json id = nullptr;
  auto id_it = request.find("id");
  if (id_it != request.end()) {
    if (!id_it->is_string() && !id_it->is_number() && !id_it->is_null())
      return error_object(nullptr,
                          rpc_error(Code::invalid_request, "id: a string, a number or null"));
    id = *id_it;
  }
  auto version = request.find("jsonrpc");
  if (version == request.end() || *version != "2.0")
    return error_object(id, rpc_error(Code::invalid_request, "jsonrpc: must be \"2.0\""));
  auto method = request.find("method");
  if (method == request.end() || !method->is_string())
    return error_object(id, rpc_error(Code::invalid_request, "method: a string"));
  static const Json kNoParams = Json::array();
  auto params_it = request.find("params");
  const Json& params = params_it == request.end() ? kNoParams : *params_it;
  if (!params.is_array() && !params.is_object())
    return error_object(id, rpc_error(Code::invalid_request, "params: an array or an object"));
  for (const auto& [key, value] : request.items())
    if (key != "jsonrpc" && key != "method" && key != "params" && key != "id")
      return error_object(id, rpc_error(Code::invalid_request, "unknown member \"" + key + "\""));
  // A notification (no id) is carried out, and gets no answer, even an error.
  notification = id_it == request.end();
  std::expected<Json, RpcError> result;
  try {
    result = call(method->get<std::string>(), params, reader);
  } catch (const std::exception& e) {
    result = std::unexpected(
        rpc_error(Code::internal_error, std::string("internal error: ") + e.what()));
  }
  if (!result) return error_object(id, result.error());
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(*result)}};
}

std::optional<std::string> Node::handle(std::string_view body) {
  try {
    if (body.size() > options_.max_body_bytes)
      return dump(error_object(
          nullptr, rpc_error(Code::invalid_request,
                             fmt::format("request body over {} bytes", options_.max_body_bytes))));
    auto parsed = codec::parse_json(body);
    if (!parsed)
      return dump(error_object(
          nullptr, rpc_error(Code::parse_error, "parse error: " + parsed.error().message)));
    const Json& request = *parsed;
    if (request.is_array()) {
      if (request.empty())
        return dump(error_object(nullptr, rpc_error(Code::invalid_request, "an empty batch")));
      if (request.size() > options_.max_batch)
        return dump(error_object(
            nullptr,
            rpc_error(Code::invalid_request, fmt::format("a batch of {} requests: at most {}",
                                                         request.size(), options_.max_batch))));
    }
    auto lease_result = lease();
    if (!lease_result) {
      // Without a connection nothing can be answered but the error, once per request.
      RpcError e = from_error(lease_result.error());
      e.code = Code::unavailable;
      if (!request.is_array())
        return dump(error_object(
            request.is_object() ? request.value("id", Json(nullptr)) : Json(nullptr), e));
      Json all = Json::array();
      for (const auto& r : request)
        all.push_back(
            error_object(r.is_object() ? r.value("id", Json(nullptr)) : Json(nullptr), e));
      return dump(all);
    }
    Reader& reader = **lease_result;
    bool notification = false;
    if (!request.is_array()) {
      Json out = answer(request, reader, notification);
      if (notification) return std::nullopt;
      return dump(out);
    }
    Json all = Json::array();
    for (const auto& r : request) {
      Json out = answer(r, reader, notification);
      if (!notification) all.push_back(std::move(out));
    }
    if (all.empty()) return std::nullopt;
    return dump(all);
  } catch (const std::exception& e) {
    return dump(error_object(
        nullptr, rpc_error(Code::internal_error, std::string("internal error: ") + e.what())));
  }
}

}  // namespace rollup::rpc
