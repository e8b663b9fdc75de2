#pragma once
// A JSON-RPC 2.0 client of rollup-serve, for the tools that ask a server instead of reading a
// state file (rollup-query --rpc, rollup-verify --rpc, rollup-bisect --rpc). It trusts nothing
// it is told: callers check every answer against the contract.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "codec/fields.hpp"
#include "core/error.hpp"

namespace httplib {
class Client;
}

namespace rollup::rpc {

/// The largest answer read (a proof line is ~200 KiB; a full block of 4,095 txs ~3 MiB).
inline constexpr std::size_t kMaxAnswerBytes = std::size_t{64} << 20;

class Client {
 public:
  /// `url`: http://HOST:PORT[/PATH], the server's JSON-RPC endpoint. Nothing is sent yet.
  static Result<Client> open(std::string_view url, std::chrono::seconds timeout = std::chrono::seconds(30));
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  /// The result of one call. A server that cannot be reached or answers something other than
  /// JSON-RPC is Errc::io; an error answer is Errc::rejected for "no such thing" and refusals
  /// (the server's -32001, -32002 and -32602) and Errc::io otherwise, the message naming the
  /// server, the method and the server's words.
  Result<codec::Json> call(std::string_view method, codec::Json params);

  const std::string& url() const { return url_; }

 private:
  Client(std::string url, std::string path, std::unique_ptr<httplib::Client> http);
  std::string url_;
  std::string path_;
  std::unique_ptr<httplib::Client> http_;
  std::uint64_t next_id_ = 1;
};

}  // namespace rollup::rpc
