#include "codec/keyfile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "codec/fields.hpp"

namespace rollup::codec {

Status write_key_file(const std::string& path, const crypto::KeyPair& key, bool overwrite) {
  std::string text = R"({"kind":"key","v":1,"public_key":")" + to_hex(key.public_key) +
                     R"(","seed":")" + to_hex(key.seed()) + "\"}\n";
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
  int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return fail(Errc::usage, path + ": exists (use --force to overwrite)");
    return fail(Errc::io, path + ": " + std::strerror(errno));
  }
  // O_CREAT's mode only applies to a new file: an overwritten one is tightened too.
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) return fail(Errc::io, path + ": " + std::strerror(saved));
  return {};
}

Result<crypto::KeyPair> read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(Errc::io, path + ": " + std::strerror(errno));
  std::stringstream buf;
  buf << in.rdbuf();
  auto json = parse_json(buf.str());
  if (!json) return fail(Errc::bad_input, path + ": not a key file: " + json.error().message);
  if (!json->is_object()) return fail(Errc::bad_input, path + ": not a key file");
  FieldReader f(*json, path);
  auto kind = ROLLUP_TRY(f.string("kind"));
  if (kind != "key") return fail(Errc::bad_input, path + ": not a key file (kind is not \"key\")");
  if (ROLLUP_TRY(f.u53("v")) != 1) return fail(Errc::bad_input, path + ": unsupported key file version");
  auto public_key = ROLLUP_TRY(f.hex_fixed<32>("public_key"));
  auto seed = ROLLUP_TRY(f.hex_fixed<32>("seed"));
  ROLLUP_TRY(f.finish());
  crypto::KeyPair kp = crypto::keypair_from_seed(seed);
  if (kp.public_key != public_key)
    return fail(Errc::bad_input, path + ": public_key does not belong to the seed");
  return kp;
}

}  // namespace rollup::codec
