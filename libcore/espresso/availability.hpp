#pragma once
// Where Espresso's availability API is read from: a query service over HTTP(S), or a directory
// that holds its answers under the same paths (a mirror, or test fixtures):
//   BASE/availability/header/HEIGHT
//   BASE/availability/block/HEIGHT/namespace/NAMESPACE
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "codec/fields.hpp"
#include "espresso/shapes.hpp"

namespace rollup::espresso {

/// Answers larger than this are refused: a namespace of a block is far smaller.
inline constexpr std::size_t kMaxAnswerBytes = 64u << 20;

std::string header_path(std::uint64_t height);
std::string namespace_path(std::uint64_t height, std::uint32_t namespace_id);

class Availability {
 public:
  /// A query service at `base` (`http://host:port` or `https://…`, with the API version prefix
  /// the service has, e.g. `https://query.example/v0`). Usage error for anything else.
  static Result<Availability> at_url(const std::string& base);
  /// A directory holding the answers as files under the API's paths.
  static Result<Availability> in_directory(const std::string& root);
  Availability(Availability&&) noexcept;
  Availability& operator=(Availability&&) noexcept;
  ~Availability();

  /// The parsed answer at `path`, or nullopt when the service has none (HTTP 404, no such file):
  /// a height not yet reached. Any other failure is an I/O error; an answer that is not JSON is
  /// bad input.
  Result<std::optional<codec::Json>> get(const std::string& path);
  /// Where `path` is read from, for messages.
  std::string where(const std::string& path) const;

  struct Backend;  ///< a directory or an HTTP client (availability.cpp)

 private:
  explicit Availability(std::unique_ptr<Backend> backend);
  std::unique_ptr<Backend> backend_;
};

/// Which heights to read, and what a height the source does not hold yet means.
struct Range {
  std::uint64_t from = 0;
  std::optional<std::uint64_t> to;  ///< inclusive; none: go on for as long as there are blocks
  /// A query service answers 404 for a height it has not reached, or a block whose payload has
  /// not reached it yet: then ask again every `poll_ms` (and never stop without `to`). A
  /// directory does not grow: without `to` the first height with no header ends the range, and
  /// a missing answer inside `from..to` is an I/O error.
  bool wait_for_missing = false;
  std::uint64_t poll_ms = 1000;
};

/// Reads, for every height of `range` in order, the block's header and the answer for
/// `namespace_id`, and hands them to `on_block`. A header of another height than asked is bad
/// input, as is an answer that is not of the published shapes.
Status read_range(Availability& source, std::uint32_t namespace_id, const Range& range,
                  const std::function<Status(const Header&, const NamespaceAnswer&)>& on_block);

/// Writes a block's header and namespace answer as files under the API's paths in `root`
/// (directories made as needed), so that `Availability::in_directory(root)`, or any static HTTP
/// server on `root`, answers as the query service would.
Status store_in_directory(const std::string& root, const NamespaceAnswer& answer, std::uint32_t namespace_id);

}  // namespace rollup::espresso
