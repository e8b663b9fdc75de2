// rollup-serve: the JSON-RPC 2.0 node over HTTP on a state file shared with a running pipeline,
// and its explorer page for a browser.
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <thread>

#include <pthread.h>

#include "cli/tool.hpp"
#include "rpc/http.hpp"
#include "rpc/node.hpp"

namespace {

/// Splits ADDR:PORT (an IPv4 address or name, then a port 0..65535; 0: any free port).
rollup::Result<std::pair<std::string, int>> parse_listen(const std::string& text) {
  using namespace rollup;
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return fail(Errc::usage, "--listen: expected ADDR:PORT, e.g. 127.0.0.1:8545");
  const std::string port_text = text.substr(colon + 1);
  if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port_text) > 65535)
    return fail(Errc::usage, "--listen: the port must be a number from 0 to 65535");
  return std::pair{text.substr(0, colon), static_cast<int>(std::stoul(port_text))};
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool(
      "rollup-serve",
      "Serve the rollup over JSON-RPC 2.0 (HTTP POST /) from a state file shared with a running\n"
      "pipeline: accounts with proofs, blocks, receipts, proofs, tx statuses, and a mempool\n"
      "that rollup-seq --mempool takes txs from. GET /v1/blocks?from=H (and /v1/exec,\n"
      "/v1/proofs) streams NDJSON lines and stays open for new ones. GET / is a read-only\n"
      "explorer page for a browser (heights, blocks, txs and receipts, accounts). SIGTERM stops\n"
      "it cleanly. Methods and examples: man rollup-serve.",
      "rollup-serve --listen 127.0.0.1:8545 &\n"
      "  rollup-seq --key seq.key --mempool </dev/null | rollup-submit | rollup-exec | "
      "rollup-prove | rollup-submit\n"
      "  curl -s 127.0.0.1:8545 -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rollup_status\"}'\n"
      "  curl -sN '127.0.0.1:8545/v1/blocks?from=1' | rollup-exec --db other.db\n"
      "  chromium http://127.0.0.1:8545/#block=1");
  tool.add_db_option();
  auto& app = tool.app();
  std::string listen = "127.0.0.1:8545", port_file;
  rpc::NodeOptions node_options;
  rpc::HttpOptions http_options;
  std::uint64_t stream_poll_ms = 200;
  app.add_option("--listen", listen, "Address and port to listen on (port 0: any free port)")
      ->capture_default_str()
      ->envname("ROLLUP_LISTEN");
  app.add_option("--port-file", port_file,
                 "Write the port listened on to this file once it is bound");
  cli::add_unsigned(app, "--threads", http_options.threads,
                    "Connections served at once (open streams hold one each)", 2, 4096)
      ->capture_default_str();
  cli::add_unsigned(app, "--max-body", node_options.max_body_bytes,
                    "Largest request body in bytes (HTTP 413 above)", 64, 64u << 20)
      ->capture_default_str();
  cli::add_unsigned(app, "--max-batch", node_options.max_batch, "Most requests in one batch", 1,
                    100000)
      ->capture_default_str();
  cli::add_unsigned(app, "--cache-accounts", node_options.cached_accounts,
                    "Accounts whose hashed subtrees account answers keep (~120 bytes each; 0: none)", 0,
                    std::uint64_t{1} << 32)
      ->capture_default_str();
  cli::add_unsigned(app, "--stream-poll-ms", stream_poll_ms,
                    "How often a caught-up stream looks for new lines", 10, 60000)
      ->capture_default_str();

  return tool.run(argc, argv, [&]() -> Status {
    auto [host, port] = ROLLUP_TRY(parse_listen(listen));
    http_options.host = host;
    http_options.port = port;
    http_options.stream_poll = std::chrono::milliseconds(stream_poll_ms);

    // SIGTERM and SIGINT are taken by a thread of their own (sigwait), blocked everywhere else,
    // so the stop runs as ordinary code: stop accepting, let requests in flight finish.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    auto node = ROLLUP_TRY(rpc::Node::open(tool.db_path(), node_options));
    rpc::HttpServer server(*node, http_options);
    const int bound = ROLLUP_TRY(server.bind());
    if (!port_file.empty()) {
      const std::string tmp = port_file + ".tmp";
      {
        std::ofstream out(tmp);
        out << bound << '\n';
        if (!out) return fail(Errc::io, "cannot write " + tmp);
      }
      if (std::rename(tmp.c_str(), port_file.c_str()) != 0)
        return fail(Errc::io, "cannot write " + port_file);
    }
    tool.notice(
        fmt::format("listening on http://{}:{}/ (state file {})", host, bound, tool.db_path()));

    std::atomic<bool> served{false};
    std::thread signals([&] {
      int signal = 0;
      sigwait(&stop_signals, &signal);
      if (served) return;  // listen() ended on its own; main sent SIGTERM to end this thread
      tool.notice(fmt::format("{}: finishing requests in flight",
                              signal == SIGTERM ? "SIGTERM" : "SIGINT"));
      // A stop that lands before listen() started would be missed: repeat until it returns.
      while (!served) {
        server.stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
    auto listened = server.listen();
    served = true;
    pthread_kill(signals.native_handle(), SIGTERM);
    signals.join();
    node->stop();
    ROLLUP_TRY(listened);
    tool.detail("stopped");
    return {};
  });
}
