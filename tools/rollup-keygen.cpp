// rollup-keygen: makes an Ed25519 key file and prints its public key.
#include <cstdio>

#include "cli/tool.hpp"
#include "codec/keyfile.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-keygen", "Make an Ed25519 key file (mode 0600) and print its public key.",
                 "rollup-keygen -o alice.key   # prints 0x… (the public key)");
  std::string out, show;
  bool force = false;
  std::optional<std::uint64_t> dev;
  auto& app = tool.app();
  app.add_option("-o,--out", out, "Key file to write");
  app.add_option("--show", show, "Print the public key of an existing key file instead");
  cli::add_unsigned(app, "--dev", dev,
                 "Use dev key number N (deterministic, public: for tests and demos only)");
  app.add_flag("-f,--force", force, "Overwrite an existing key file");
  return tool.run(argc, argv, [&]() -> Status {
    if (!show.empty()) {
      auto key = ROLLUP_TRY(codec::read_key_file(show));
      std::printf("%s\n", to_hex(key.public_key).c_str());
      return {};
    }
    if (out.empty()) return fail(Errc::usage, "give --out FILE (or --show FILE)");
    auto key = dev ? crypto::dev_key(*dev) : crypto::generate_keypair();
    ROLLUP_TRY(codec::write_key_file(out, key, force));
    std::printf("%s\n", to_hex(key.public_key).c_str());
    return {};
  });
}
