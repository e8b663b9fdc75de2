#include "codec/keyfile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "codec/fields.hpp"

namespace rollup::codec {

namespace {

Error os_error(const std::string& path, int err) { return Error{Errc::io, path + ": " + std::strerror(err)}; }

/// Writes all of `text` to `fd` and syncs it; errno is kept on failure.
bool write_synced(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return ::fsync(fd) == 0;
}

/// Makes the rename or link that published a key file durable.
Status sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(os_error(dir, errno));
  bool ok = ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return std::unexpected(os_error(dir, err));
  return {};
}

Result<crypto::KeyPair> ed25519_only(const crypto::AccountKey& key, const std::string& name) {
  if (key.scheme() != crypto::SignatureScheme::ed25519)
    return fail(Errc::bad_input, name + ": an " + std::string(crypto::scheme_name(key.scheme())) +
                                     " key, but this needs an ed25519 key (a sequencer signs blocks with ed25519)");
  return crypto::keypair_from_seed(key.seed());
}

}  // namespace

Status write_key_file(const std::string& path, const crypto::KeyPair& key, bool overwrite) {
  return write_key_file(path, crypto::AccountKey::ed25519(key), overwrite);
}

Status write_key_file(const std::string& path, const crypto::AccountKey& key, bool overwrite) {
  // An Ed25519 file is the same bytes as before schemes existed: no "scheme" means ed25519.
  const std::string scheme = key.scheme() == crypto::SignatureScheme::ed25519
                                 ? std::string()
                                 : R"("scheme":")" + std::string(crypto::scheme_name(key.scheme())) + R"(",)";
  std::string text = R"({"kind":"key","v":1,)" + scheme + R"("public_key":")" + to_hex(key.public_key()) +
                     R"(","seed":")" + to_hex(key.seed()) + "\"}\n";
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  struct stat st {};
  if (!overwrite && ::lstat(path.c_str(), &st) == 0)
    return fail(Errc::usage, path + ": exists (use --force to overwrite)");

  // mkostemp creates with O_EXCL (so never through a symlink) and mode 0600.
  std::string tmp = dir + "/." + base + ".tmp-XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return std::unexpected(os_error(path, errno));
  bool ok = write_synced(fd, text);
  int err = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return std::unexpected(os_error(path, err));
  }
  // rename replaces whatever `path` names, a symlink included, and never writes through it;
  // link fails if `path` appeared meanwhile, so --force is the only way to replace a key.
  int published = overwrite ? ::rename(tmp.c_str(), path.c_str()) : ::link(tmp.c_str(), path.c_str());
  err = errno;
  if (published != 0 || !overwrite) ::unlink(tmp.c_str());
  if (published != 0) {
    if (err == EEXIST) return fail(Errc::usage, path + ": exists (use --force to overwrite)");
    return std::unexpected(os_error(path, err));
  }
  return sync_directory(dir);
}

Result<crypto::KeyPair> read_key_file(const std::string& path) {
  auto key = ROLLUP_TRY(read_account_key_file(path));
  return ed25519_only(key, path);
}

Result<crypto::AccountKey> read_account_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(os_error(path, errno));
  struct stat st {};
  std::string text;
  Status read = [&]() -> Status {
    if (::fstat(fd, &st) != 0) return std::unexpected(os_error(path, errno));
    if (!S_ISREG(st.st_mode)) return fail(Errc::bad_input, path + ": not a key file (not a regular file)");
    if ((st.st_mode & 077) != 0)
      return fail(Errc::io, fmt::format("permissions {:04o} for '{}' are too open: a key file must be "
                                        "readable by its owner only (chmod 600 '{}')",
                                        st.st_mode & 07777, path, path));
    text.resize(kMaxKeyFileBytes + 1);
    std::size_t got = 0;
    while (got < text.size()) {
      ssize_t n = ::read(fd, text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::unexpected(os_error(path, errno));
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    return {};
  }();
  ::close(fd);
  if (!read) return std::unexpected(read.error());
  return parse_account_key_file(text, path);
}

Result<crypto::KeyPair> parse_key_file(std::string_view text, const std::string& name) {
  auto key = ROLLUP_TRY(parse_account_key_file(text, name));
  return ed25519_only(key, name);
}

Result<crypto::AccountKey> parse_account_key_file(std::string_view text, const std::string& name) {
  if (text.size() > kMaxKeyFileBytes)
    return fail(Errc::bad_input, name + ": not a key file (larger than " +
                                     std::to_string(kMaxKeyFileBytes) + " bytes)");
  auto json = parse_json(text);
  if (!json) return fail(Errc::bad_input, name + ": not a key file: " + json.error().message);
  if (!json->is_object()) return fail(Errc::bad_input, name + ": not a key file");
  FieldReader f(*json, name);
  auto kind = ROLLUP_TRY(f.string("kind"));
  if (kind != "key") return fail(Errc::bad_input, name + ": not a key file (kind is not \"key\")");
  if (ROLLUP_TRY(f.u53("v")) != 1) return fail(Errc::bad_input, name + ": unsupported key file version");
  crypto::SignatureScheme scheme = crypto::SignatureScheme::ed25519;
  if (f.has("scheme")) {
    auto parsed = crypto::parse_scheme(ROLLUP_TRY(f.string("scheme")));
    if (!parsed) return fail(Errc::bad_input, name + ": " + parsed.error().message);
    scheme = *parsed;
  }
  auto public_key = ROLLUP_TRY(f.key("public_key"));
  auto seed = ROLLUP_TRY(f.hex_fixed<32>("seed"));
  ROLLUP_TRY(f.finish());
  if (public_key.size() != crypto::key_size(scheme))
    return fail(Errc::bad_input, name + ": public_key is not an " + std::string(crypto::scheme_name(scheme)) + " key");
  auto key = crypto::AccountKey::from_seed(scheme, seed);
  if (key.public_key() != public_key)
    return fail(Errc::bad_input, name + ": public_key does not belong to the seed");
  return key;
}

}  // namespace rollup::codec
