#include "codec/fields.hpp"
#include "core/limits.hpp"

namespace rollup::codec {

FieldReader::FieldReader(const Json& object, std::string context)
    : object_(object), context_(std::move(context)) {}

Error FieldReader::error(const std::string& field, const std::string& what) const {
  return Error{Errc::bad_input, context_ + "." + field + ": " + what};
}

Result<const Json*> FieldReader::field(const char* name) {
  seen_.insert(name);
  auto it = object_.find(name);
  if (it == object_.end()) return std::unexpected(error(name, "missing"));
  return &*it;
}

Result<std::uint64_t> FieldReader::u53(const char* name, std::uint64_t min) {
  auto f = field(name);
  if (!f) return std::unexpected(f.error());
  const Json& j = **f;
  // JSON numbers like 5.0 or -1 are not unsigned integers; refuse them rather than convert.
  if (!j.is_number_unsigned()) {
    if (j.is_number_integer()) return std::unexpected(error(name, "must not be negative"));
    return std::unexpected(error(name, "must be an unsigned integer"));
  }
  std::uint64_t v = j.get<std::uint64_t>();
  if (v >= kBalanceLimit) return std::unexpected(error(name, "must be below 2^53"));
  if (v < min) return std::unexpected(error(name, "must be at least " + std::to_string(min)));
  return v;
}

Result<std::string> FieldReader::string(const char* name) {
  auto f = field(name);
  if (!f) return std::unexpected(f.error());
  if (!(*f)->is_string()) return std::unexpected(error(name, "must be a string"));
  return (*f)->get<std::string>();
}

Result<Bytes> FieldReader::hex(const char* name, long length) {
  auto f = field(name);
  if (!f) return std::unexpected(f.error());
  if (!(*f)->is_string()) return std::unexpected(error(name, "must be a hex string"));
  auto bytes = from_hex((*f)->get_ref<const std::string&>(), length);
  if (!bytes) return std::unexpected(error(name, bytes.error().message));
  return bytes;
}

Result<const Json*> FieldReader::array(const char* name) {
  auto f = field(name);
  if (!f) return f;
  if (!(*f)->is_array()) return std::unexpected(error(name, "must be an array"));
  return f;
}

Result<const Json*> FieldReader::object(const char* name) {
  auto f = field(name);
  if (!f) return f;
  if (!(*f)->is_object()) return std::unexpected(error(name, "must be an object"));
  return f;
}

Status FieldReader::finish() const {
  for (auto it = object_.begin(); it != object_.end(); ++it)
    if (!seen_.contains(it.key())) return std::unexpected(error(it.key(), "unknown field"));
  return {};
}

Result<Json> parse_stream_object(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions only to get the parser's position and reason.
    try {
      [[maybe_unused]] auto reparsed = Json::parse(text);
    } catch (const Json::parse_error& e) {
      std::string what = e.what();
      auto pos = what.find("parse error");
      return fail(Errc::bad_input, "invalid json: " + (pos == std::string::npos ? what : what.substr(pos)));
    }
    return fail(Errc::bad_input, "invalid json");
  }
  if (!j.is_object()) return fail(Errc::bad_input, "a stream line must be a JSON object");
  auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_string())
    return fail(Errc::bad_input, "object has no \"kind\" string");
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_unsigned() || v->get<std::uint64_t>() != 1)
    return fail(Errc::bad_input, "unsupported format version (\"v\" must be 1)");
  return j;
}

std::string kind_of(const Json& object) { return object.at("kind").get<std::string>(); }

}  // namespace rollup::codec
