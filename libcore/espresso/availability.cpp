#include "espresso/availability.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#ifdef ROLLUP_HAVE_HTTPLIB
#include <httplib.h>
#endif

#include "core/url.hpp"

namespace rollup::espresso {

std::string header_path(std::uint64_t height) { return fmt::format("availability/header/{}", height); }
std::string namespace_path(std::uint64_t height, std::uint32_t namespace_id) {
  return fmt::format("availability/block/{}/namespace/{}", height, namespace_id);
}

struct Availability::Backend {
  virtual ~Backend() = default;
  /// The answer's text, or nullopt when there is none at that path.
  virtual Result<std::optional<std::string>> fetch(const std::string& path) = 0;
  virtual std::string where(const std::string& path) const = 0;
};

namespace {

class Directory final : public Availability::Backend {
 public:
  explicit Directory(std::string root) : root_(std::move(root)) {}
  Result<std::optional<std::string>> fetch(const std::string& path) override {
    std::string file = where(path);
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
      return fail(Errc::io, fmt::format("{}: {}", file, std::strerror(errno)));
    }
    std::string text;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      text.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (text.size() > kMaxAnswerBytes) return fail(Errc::bad_input, file + ": answer larger than 64 MiB");
    }
    if (in.bad()) return fail(Errc::io, file + ": read error");
    return text;
  }
  std::string where(const std::string& path) const override { return root_ + "/" + path; }

 private:
  std::string root_;
};

#ifdef ROLLUP_HAVE_HTTPLIB
class Service final : public Availability::Backend {
 public:
  Service(std::string origin, std::string prefix)
      : origin_(std::move(origin)), prefix_(std::move(prefix)), client_(origin_) {
    client_.set_connection_timeout(10);
    client_.set_read_timeout(60);
    client_.set_follow_location(true);
  }
  Result<std::optional<std::string>> fetch(const std::string& path) override {
    std::string body;
    bool too_large = false;
    auto response = client_.Get(prefix_ + "/" + path, [&](const char* data, std::size_t length) {
      if (body.size() + length > kMaxAnswerBytes) {
        too_large = true;
        return false;
      }
      body.append(data, length);
      return true;
    });
    if (too_large) return fail(Errc::bad_input, where(path) + ": answer larger than 64 MiB");
    if (!response) return fail(Errc::io, fmt::format("{}: {}", where(path), httplib::to_string(response.error())));
    if (response->status == 404) return std::nullopt;
    if (response->status != 200)
      return fail(Errc::io, fmt::format("{}: HTTP status {}", where(path), response->status));
    return body;
  }
  std::string where(const std::string& path) const override { return origin_ + prefix_ + "/" + path; }

 private:
  std::string origin_, prefix_;
  httplib::Client client_;
};
#endif

}  // namespace

Availability::Availability(std::unique_ptr<Backend> backend) : backend_(std::move(backend)) {}
Availability::Availability(Availability&&) noexcept = default;
Availability& Availability::operator=(Availability&&) noexcept = default;
Availability::~Availability() = default;

Result<Availability> Availability::at_url(const std::string& base) {
  auto url = ROLLUP_TRY(parse_http_url(base, "--url"));
#ifdef ROLLUP_HAVE_HTTPLIB
  return Availability(std::make_unique<Service>(std::move(url.origin), std::move(url.path)));
#else
  return fail(Errc::usage, "this build has no HTTP client (cpp-httplib was not found): use --dir");
#endif
}

Result<Availability> Availability::in_directory(const std::string& root) {
  std::string trimmed = root;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  return Availability(std::make_unique<Directory>(trimmed));
}

Result<std::optional<codec::Json>> Availability::get(const std::string& path) {
  auto text = ROLLUP_TRY(backend_->fetch(path));
  if (!text) return std::nullopt;
  auto json = codec::parse_json(*text);
  if (!json) return fail(Errc::bad_input, where(path) + ": " + json.error().message);
  return std::optional<codec::Json>(std::move(*json));
}

std::string Availability::where(const std::string& path) const { return backend_->where(path); }

namespace {
/// The answer at `path`; nullopt when it is missing and that ends the range.
Result<std::optional<codec::Json>> get_or_wait(Availability& source, const std::string& path, const Range& range,
                                               bool missing_ends_range) {
  for (;;) {
    auto json = ROLLUP_TRY(source.get(path));
    if (json) return json;
    if (range.wait_for_missing) {
      std::this_thread::sleep_for(std::chrono::milliseconds(range.poll_ms));
      continue;
    }
    if (missing_ends_range) return std::nullopt;
    return fail(Errc::io, source.where(path) + ": no such answer");
  }
}
}  // namespace

Status read_range(Availability& source, std::uint32_t namespace_id, const Range& range,
                  const std::function<Status(const Header&, const NamespaceAnswer&)>& on_block) {
  for (std::uint64_t height = range.from; !range.to || height <= *range.to; ++height) {
    std::string hpath = header_path(height);
    auto header_json = ROLLUP_TRY(get_or_wait(source, hpath, range, !range.to));
    if (!header_json) return {};
    auto header = parse_header(*header_json);
    if (!header) return fail(header.error().code, source.where(hpath) + ": " + header.error().message);
    if (header->height != height)
      return fail(Errc::bad_input, fmt::format("{}: header of height {}, asked for {}", source.where(hpath), header->height, height));
    std::string npath = namespace_path(height, namespace_id);
    auto answer_json = ROLLUP_TRY(get_or_wait(source, npath, range, false));
    auto answer = parse_namespace_answer(*answer_json);
    if (!answer) return fail(answer.error().code, source.where(npath) + ": " + answer.error().message);
    auto handled = on_block(*header, *answer);
    if (!handled) return fail(handled.error().code, source.where(npath) + ": " + handled.error().message);
    if (height == UINT64_MAX) break;
  }
  return {};
}

namespace {
Status write_file(const std::filesystem::path& file, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return fail(Errc::io, fmt::format("{}: {}", file.parent_path().string(), ec.message()));
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text << '\n';
  out.flush();
  if (!out) return fail(Errc::io, file.string() + ": write failed");
  return {};
}
}  // namespace

Status store_in_directory(const std::string& root, const NamespaceAnswer& answer, std::uint32_t namespace_id) {
  if (!answer.header) return fail(Errc::internal, "store_in_directory: the answer has no header");
  std::filesystem::path base(root);
  ROLLUP_TRY(write_file(base / header_path(answer.header->height), header_to_json(*answer.header).dump()));
  NamespaceAnswer alone = answer;
  alone.header.reset();
  return write_file(base / namespace_path(answer.header->height, namespace_id), namespace_answer_to_json(alone).dump());
}

}  // namespace rollup::espresso
