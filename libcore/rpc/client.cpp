// Debian's cpp-httplib: see rpc/http.cpp on the CPPHTTPLIB_* macros the header must share.
#include "rpc/client.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include "core/url.hpp"
#include "rpc/node.hpp"

namespace rollup::rpc {

Client::Client(std::string url, std::string path, std::unique_ptr<httplib::Client> http)
    : url_(std::move(url)), path_(std::move(path)), http_(std::move(http)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Result<Client> Client::open(std::string_view url, std::chrono::seconds timeout) {
  auto parts = ROLLUP_TRY(parse_http_url(url, "--rpc"));
  if (parts.https())
    return fail(Errc::usage, fmt::format("--rpc: https is not supported (rollup-serve speaks plain HTTP on "
                                         "loopback; put a TLS proxy in front of it and give its http URL): '{}'",
                                         url));
  auto http = std::make_unique<httplib::Client>(parts.origin);
  http->set_connection_timeout(timeout);
  http->set_read_timeout(timeout);
  http->set_write_timeout(timeout);
  return Client(std::string(url), parts.path.empty() ? "/" : parts.path, std::move(http));
}

Result<codec::Json> Client::call(std::string_view method, codec::Json params) {
  const std::uint64_t id = next_id_++;
  const codec::Json request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  const std::string where = fmt::format("{} ({})", url_, method);
  std::string body;
  bool too_large = false;
  httplib::Request req;
  req.method = "POST";
  req.path = path_;
  req.body = request.dump();
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char* data, std::size_t length, std::uint64_t, std::uint64_t) {
    if (body.size() + length > kMaxAnswerBytes) {
      too_large = true;
      return false;
    }
    body.append(data, length);
    return true;
  };
  auto response = http_->send(req);
  if (too_large) return fail(Errc::io, where + ": the answer is larger than 64 MiB");
  if (!response)
    return fail(Errc::io, fmt::format("{}: cannot reach the server: {}", where, httplib::to_string(response.error())));
  if (response->status != 200)
    return fail(Errc::io, fmt::format("{}: HTTP status {}{}", where, response->status,
                                      body.empty() ? "" : ": " + body.substr(0, 200)));
  auto answer = codec::parse_json(body);
  if (!answer || !answer->is_object())
    return fail(Errc::io, where + ": the answer is not a JSON-RPC response object");
  if (answer->value("id", codec::Json()) != codec::Json(id))
    return fail(Errc::io, where + ": the answer's id is not the request's");
  if (auto error = answer->find("error"); error != answer->end()) {
    // A server that lies about its error's shape still gets a clear message, not an exception.
    int code = 0;
    std::string message = "(no message)";
    if (error->is_object()) {
      if (auto c = error->find("code"); c != error->end() && c->is_number_integer()) code = c->get<int>();
      if (auto m = error->find("message"); m != error->end() && m->is_string()) message = m->get<std::string>();
    }
    const bool refusal = code == static_cast<int>(Code::not_found) || code == static_cast<int>(Code::tx_refused) ||
                         code == static_cast<int>(Code::invalid_params);
    return fail(refusal ? Errc::rejected : Errc::io, fmt::format("{}: the server says: {} (code {})", where, message, code));
  }
  auto result = answer->find("result");
  if (result == answer->end()) return fail(Errc::io, where + ": the answer has neither result nor error");
  return std::move(*result);
}

}  // namespace rollup::rpc
