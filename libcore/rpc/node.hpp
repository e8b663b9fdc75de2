#pragma once
// The JSON-RPC 2.0 node over a state file shared with a running pipeline (rollup-serve): the
// dispatch of requests, batches and notifications, and the rollup_* methods (man rollup-serve).
// No HTTP here: a request body goes in, the answer's body comes out, so every method and every
// error is tested without a socket (tests/rpc_test.cpp); rpc/http.hpp carries it over HTTP.
//
// Reads go through a pool of read-only connections, one per thread at a time (store::Db belongs
// to one thread): they never take the write lock, so the pipeline's writers never wait on the
// server. Sends are checked (form, chain id, namespace, nonce, signature) on the caller's thread
// outside any lock, then appended to the mempool by the group commit (rpc/mempool_writer.hpp).
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/fields.hpp"
#include "l1/contract.hpp"
#include "store/db.hpp"
#include "vm/query.hpp"
#include "wallet/wallet.hpp"

namespace rollup::rpc {

/// JSON-RPC 2.0's codes, and this node's application codes (-32000 to -32099, its server range).
enum class Code : int {
  parse_error = -32700,
  invalid_request = -32600,
  method_not_found = -32601,
  invalid_params = -32602,
  internal_error = -32603,
  not_found = -32001,    ///< no such tx, block, proof, receipts or account (at that height)
  tx_refused = -32002,   ///< a well-formed tx the rollup would not take: chain, namespace, nonce,
                         ///< signature, frozen
  unavailable = -32003,  ///< the state file is busy or unreadable, or the server is shutting down
};

struct RpcError {
  Code code = Code::internal_error;
  std::string message;
};

struct NodeOptions {
  std::size_t max_body_bytes = 1 << 20;  ///< a request body over this is refused whole
  std::size_t max_batch = 100;           ///< requests in one batch
  std::size_t max_group = 4096;          ///< txs in one mempool commit
  /// Accounts whose hashed subtrees answers of getAccount and getProof keep (vm::SubtreeCache;
  /// about 120 bytes each): a hit answers without hashing. 0: none kept.
  std::size_t cached_accounts = std::size_t{1} << 18;
};

class MempoolWriter;
struct Reader;

class Node {
 public:
  /// Opens the state file (it must exist and hold a contract), migrating it if it is older, and
  /// starts the mempool's writer.
  static Result<std::unique_ptr<Node>> open(const std::string& db_path, NodeOptions options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// Answers one request body: a request, a batch, or notifications (nullopt: nothing to answer,
  /// HTTP 204). Never throws; any input gets an answer with the right error code.
  std::optional<std::string> handle(std::string_view body);
  /// Ends the mempool's writer once what it holds is committed; sends after this are refused.
  void stop();

  const NodeOptions& options() const { return options_; }
  const std::string& db_path() const { return db_path_; }

  /// A read-only connection with its contract, lent from the pool for one request or one step
  /// of a stream, and back to the pool when the lease ends.
  class Lease {
   public:
    Lease(Node& node, std::unique_ptr<Reader> reader) : node_(&node), reader_(std::move(reader)) {}
    Lease(Lease&&) noexcept = default;
    ~Lease();
    Reader& operator*() const { return *reader_; }
    Reader* operator->() const { return reader_.get(); }

   private:
    Node* node_;
    std::unique_ptr<Reader> reader_;
  };
  Result<Lease> lease();

 private:
  Node(std::string db_path, NodeOptions options);
  codec::Json answer(const codec::Json& request, Reader& reader, bool& notification);
  std::expected<codec::Json, RpcError> call(const std::string& method, const codec::Json& params,
                                            Reader& reader);

  std::string db_path_;
  NodeOptions options_;
  std::unique_ptr<MempoolWriter> writer_;
  vm::SubtreeCache subtrees_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Reader>> pool_;
};

/// What a pooled connection holds.
struct Reader {
  store::Db db;
  std::unique_ptr<l1::Contract> contract;
  std::unique_ptr<wallet::AccountLookup> accounts;  ///< over db and contract
};

}  // namespace rollup::rpc
