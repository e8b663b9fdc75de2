// Debian's cpp-httplib is a compiled library built with OpenSSL, zlib and brotli: its header must
// see the same CPPHTTPLIB_* macros as the library (CMakeLists.txt takes them from pkg-config),
// or the classes differ in layout. Only the plain-HTTP server is used.
#include "rpc/http.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <sys/socket.h>

#include <charconv>
#include <thread>

#include "air/proof_cover.hpp"
#include "rpc/explorer.hpp"
#include "vm/exec_lines.hpp"

namespace rollup::rpc {

namespace {

/// What a stream sends next: lines from height `next` up to `last` (a batch of them), or none yet.
using NextLines = std::function<Result<std::vector<std::string>>(Reader&, std::uint64_t& next,
                                                                 std::uint64_t last)>;

constexpr std::size_t kStreamBatch = 64;

// The explorer's files may load nothing from other origins, run no inline script or style, and
// send requests only to this server: a string from the state file that slipped into the page as
// markup could still not run, nor send anything elsewhere.
constexpr const char* kExplorerPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string explorer_content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

/// A route pattern (cpp-httplib takes a regular expression) that matches `path` alone.
std::string exact_route(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

Result<std::vector<std::string>> next_blocks(Reader& r, std::uint64_t& next, std::uint64_t last) {
  const std::uint64_t tip = std::min(last, ROLLUP_TRY(r.contract->height()));
  std::vector<std::string> out;
  if (next > tip) return out;
  const std::uint64_t end = std::min(tip, next + kStreamBatch - 1);
  for (auto& block : ROLLUP_TRY(r.contract->blocks(next, end)))
    out.push_back(std::move(block.body));
  next = end + 1;
  return out;
}

Result<std::vector<std::string>> next_exec(Reader& r, std::uint64_t& next, std::uint64_t last) {
  std::vector<std::string> out;
  for (auto& [height, line] : ROLLUP_TRY(vm::exec_lines_from(r.db, next, kStreamBatch))) {
    // Heights come in order with no gap: a gap waits until the executor fills it.
    if (height != next || height > last) break;
    out.push_back(std::move(line));
    ++next;
  }
  return out;
}

Result<std::vector<std::string>> next_proofs(Reader& r, std::uint64_t& next, std::uint64_t last) {
  std::vector<std::string> out;
  while (out.size() < kStreamBatch && next <= last) {
    auto proof = ROLLUP_TRY(air::proof_covering(r.db, next));
    if (!proof) break;
    out.push_back(air::to_json(*proof));
    next = proof->last_height + 1;
  }
  return out;
}

}  // namespace

HttpServer::HttpServer(Node& node, HttpOptions options)
    : node_(node), options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {
  routes();
}

HttpServer::~HttpServer() = default;

void HttpServer::routes() {
  auto& s = *server_;
  const unsigned threads = std::max(2u, options_.threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_payload_max_length(node_.options().max_body_bytes);
  // Answers are written in pieces (headers, then body): without TCP_NODELAY, Nagle holds the body
  // until the client's delayed ACK, about 40 ms per request on a keep-alive connection.
  s.set_tcp_nodelay(true);
  // SO_REUSEADDR only: the library's default also sets SO_REUSEPORT, with which a second server
  // binds a port already in use and shares its connections instead of failing.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.set_keep_alive_max_count(100000);
  s.set_keep_alive_timeout(5);  // an idle keep-alive connection delays a stop by up to this
  s.set_read_timeout(10);
  s.set_write_timeout(10);
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content("{\"error\":\"internal error\"}\n", "application/json");
  });

  s.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
    auto answer = node_.handle(req.body);
    if (!answer) {
      res.status = 204;
      return;
    }
    res.set_content(*answer, "application/json");
  });

  auto stream = [this](NextLines next_lines) {
    return [this, next_lines](const httplib::Request& req, httplib::Response& res) {
      // ?from=H (default 1) and, to end the stream instead of following the chain, ?to=H.
      auto height_param = [&](const char* name,
                              std::uint64_t fallback) -> std::optional<std::uint64_t> {
        if (!req.has_param(name)) return fallback;
        const std::string text = req.get_param_value(name);
        std::uint64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0)
          return std::nullopt;
        return value;
      };
      const auto from = height_param("from", 1), to = height_param("to", UINT64_MAX);
      if (!from || !to || *to < *from) {
        res.status = 400;
        res.set_content("from, to: heights, 1 or more, from <= to\n", "text/plain");
        return;
      }
      const std::uint64_t last = *to;
      // Each open stream holds a worker thread: half of them stay for requests.
      if (streams_.fetch_add(1) >= std::max(1u, options_.threads / 2)) {
        streams_.fetch_sub(1);
        res.status = 503;
        res.set_content("too many open streams\n", "text/plain");
        return;
      }
      auto next = std::make_shared<std::uint64_t>(*from);
      res.set_chunked_content_provider(
          "application/x-ndjson",
          [this, next, last, next_lines](std::size_t, httplib::DataSink& sink) {
            if (stopping_ || *next > last) {
              sink.done();
              return true;
            }
            std::vector<std::string> lines;
            {
              auto lease = node_.lease();
              if (!lease) return false;  // the state file went away: end the stream
              auto got = next_lines(**lease, *next, last);
              if (!got) return false;
              lines = std::move(*got);
            }
            for (auto& line : lines) {
              line += '\n';
              if (!sink.write(line.data(), line.size())) return false;
            }
            if (lines.empty()) {
              // Caught up: wait for more, in short steps so that a stop is seen at once.
              const auto until = std::chrono::steady_clock::now() + options_.stream_poll;
              while (!stopping_ && std::chrono::steady_clock::now() < until) {
                if (!sink.is_writable()) return false;
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
              }
            }
            return true;
          },
          [this](bool) { streams_.fetch_sub(1); });
    };
  };
  s.Get("/v1/blocks", stream(next_blocks));
  s.Get("/v1/exec", stream(next_exec));
  s.Get("/v1/proofs", stream(next_proofs));
  s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  // The explorer page at / (its view chosen by the fragment, #block=H or #account=KEY, or the
  // same as a query), and the files it loads beside it.
  for (const EmbeddedFile& file : explorer_files()) {
    std::string path = "/";
    if (file.name != "index.html") path += file.name;
    s.Get(exact_route(path), [file](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy", kExplorerPolicy);
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_header("Cache-Control", "no-cache");
      res.set_content(file.body.data(), file.body.size(), explorer_content_type(file.name));
    });
  }
}

Result<int> HttpServer::bind() {
  int port = options_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options_.host);
    if (port <= 0)
      return fail(Errc::io, fmt::format("cannot listen on {}: no free port", options_.host));
  } else if (!server_->bind_to_port(options_.host, port)) {
    return fail(Errc::io,
                fmt::format("cannot listen on {}:{} (in use, or not an address of this host)",
                            options_.host, port));
  }
  return port;
}

Status HttpServer::listen() {
  if (!server_->listen_after_bind() && !stopping_)
    return fail(Errc::io, "the listening socket failed");
  return {};
}

void HttpServer::stop() {
  stopping_ = true;
  server_->stop();
}

}  // namespace rollup::rpc
