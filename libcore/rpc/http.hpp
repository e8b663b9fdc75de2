#pragma once
// rollup-serve's HTTP side (cpp-httplib): POST / carries JSON-RPC bodies to rpc::Node,
// GET /v1/blocks, /v1/exec and /v1/proofs stream the committed blocks, exec lines and proof
// lines from a height on as NDJSON, holding the connection open for new ones, and GET / serves
// the explorer page (rpc/explorer.hpp).
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "rpc/node.hpp"

namespace httplib {
class Server;
}

namespace rollup::rpc {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8545;        ///< 0: any free port (the chosen one is returned by bind())
  unsigned threads = 32;  ///< connections served at once; each open stream holds one
  std::chrono::milliseconds stream_poll{200};  ///< how often a caught-up stream looks for more
};

class HttpServer {
 public:
  HttpServer(Node& node, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds the listening socket; the port it got.
  Result<int> bind();
  /// Serves until stop(); then requests in flight finish and open streams end.
  Status listen();
  /// From any thread: stops accepting and makes listen() return once requests in flight ended.
  void stop();

 private:
  void routes();
  Node& node_;
  HttpOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::atomic<bool> stopping_{false};
  std::atomic<unsigned> streams_{0};
};

}  // namespace rollup::rpc
