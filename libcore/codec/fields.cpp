#include "codec/fields.hpp"
#include <fmt/format.h>

#include "core/limits.hpp"

#include <cstring>
#include <vector>

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

namespace {
template <typename T, std::size_t K>
Result<T> read_sized(FieldReader& f, Result<const Json*> field, const char* name,
                     const std::array<std::size_t, K>& sizes) {
  if (!field) return std::unexpected(field.error());
  if (!(*field)->is_string()) return std::unexpected(f.error(name, "must be a hex string"));
  auto out = from_hex_sized<T>((*field)->get_ref<const std::string&>(), sizes);
  if (!out) return std::unexpected(f.error(name, out.error().message));
  return out;
}
}  // namespace

Result<PublicKey> FieldReader::key(const char* name) {
  return read_sized<PublicKey>(*this, field(name), name, kAccountKeySizes);
}

Result<Signature> FieldReader::signature(const char* name) {
  return read_sized<Signature>(*this, field(name), name, kSignatureSizes);
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

namespace {

/// Builds the document as nlohmann's own DOM parser does, refusing what parse_json promises to
/// refuse while it reads, so that a hostile line costs no more memory than its own length.
class StrictDomBuilder {
 public:
  using string_t = Json::string_t;
  bool null() { return put(Json(nullptr)); }
  bool boolean(bool v) { return put(Json(v)); }
  bool number_integer(Json::number_integer_t v) { return put(Json(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return put(Json(v)); }
  bool number_float(Json::number_float_t v, const string_t&) { return put(Json(v)); }
  bool string(string_t& v) { return put(Json(std::move(v))); }
  bool binary(Json::binary_t&) { return refuse("binary values are not JSON"); }
  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(string_t& k) {
    if (open_.back()->contains(k)) return refuse("duplicate key \"" + k + "\"");
    key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    std::string what = e.what();
    if (e.id == 406)  // out_of_range: the token may be thousands of digits long, so no echo
      return refuse("number out of range at byte " + std::to_string(position));
    auto at = what.find("parse error");
    return refuse(at == std::string::npos ? what : what.substr(at));
  }

  Json root;
  std::string error;

 private:
  bool refuse(std::string why) {
    if (error.empty()) error = std::move(why);
    return false;
  }
  Json* insert(Json&& v) {
    if (open_.empty()) {
      root = std::move(v);
      return &root;
    }
    Json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    return &parent.get_ref<Json::object_t&>().emplace(std::move(key_), std::move(v)).first->second;
  }
  bool put(Json&& v) {
    insert(std::move(v));
    return true;
  }
  bool open(Json&& container) {
    if (open_.size() >= kMaxJsonDepth)
      return refuse("nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    open_.push_back(insert(std::move(container)));
    return true;
  }
  bool close() {
    open_.pop_back();
    return true;
  }
  std::vector<Json*> open_;
  string_t key_;
};

}  // namespace

Result<Json> parse_json(std::string_view text) {
  if (const void* nul = std::memchr(text.data(), '\0', text.size()))
    return fail(Errc::bad_input, "invalid json: NUL byte at byte " +
                                     std::to_string(static_cast<const char*>(nul) - text.data()));
  StrictDomBuilder builder;
  if (!Json::sax_parse(text.begin(), text.end(), &builder)) {
    if (builder.error.empty()) builder.error = "parse error";
    return fail(Errc::bad_input, "invalid json: " + builder.error);
  }
  return std::move(builder.root);
}

Result<Json> parse_stream_object(std::string_view text) {
  Json j = ROLLUP_TRY(parse_json(text));
  if (!j.is_object()) return fail(Errc::bad_input, "a stream line must be a JSON object");
  auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_string())
    return fail(Errc::bad_input, "object has no \"kind\" string");
  const bool tx = kind->get_ref<const std::string&>() == "tx";
  const bool block = kind->get_ref<const std::string&>() == "block";
  const std::uint64_t want = tx ? kTxFormatVersion : 1;
  auto v = j.find("v");
  // A block is at version 1, or 2 when a shared sequencer gives each namespace its deposits.
  if (block && v != j.end() && v->is_number_unsigned() && v->get<std::uint64_t>() == 2) return j;
  if (v == j.end() || !v->is_number_unsigned() || v->get<std::uint64_t>() != want) {
    if (tx && v != j.end() && v->is_number_unsigned() && v->get<std::uint64_t>() == 1)
      return fail(Errc::bad_input, "tx version 1 is no longer accepted (it does not sign the "
                                   "namespace): sign the tx again with rollup-tx");
    return fail(Errc::bad_input, fmt::format("unsupported format version (\"v\" must be {})",
                                             block ? "1 or 2" : std::to_string(want)));
  }
  return j;
}

std::string kind_of(const Json& object) { return object.at("kind").get<std::string>(); }

}  // namespace rollup::codec
