// rollup-keygen: makes an account key file (Ed25519 or ECgFp5 Schnorr) and prints its public key.
#include <cstdio>

#include "cli/tool.hpp"
#include "codec/keyfile.hpp"

int main(int argc, char** argv) {
  using namespace rollup;
  cli::Tool tool("rollup-keygen",
                 "Make a key file (mode 0600) and print its public key. Keys are Ed25519 (the default, and "
                 "always for a sequencer) or ECgFp5 Schnorr, for a rollup initialised with --sig-scheme ecgfp5.",
                 "rollup-keygen -o alice.key                    # prints 0x… (32 bytes: an ed25519 key)\n"
                 "  rollup-keygen --scheme ecgfp5 -o bob.key     # prints 0x… (40 bytes: an ecgfp5 key)\n"
                 "  rollup-keygen --show bob.key                 # the public key of an existing file");
  std::string out, show, scheme_name = "ed25519";
  bool force = false;
  std::optional<std::uint64_t> dev;
  auto& app = tool.app();
  app.add_option("-o,--out", out, "Key file to write");
  app.add_option("--show", show, "Print the public key of an existing key file instead");
  app.add_option("--scheme", scheme_name,
                 "Signature scheme: ed25519, or ecgfp5 (accounts of a rollup initialised with --sig-scheme ecgfp5)")
      ->capture_default_str();
  cli::add_unsigned(app, "--dev", dev,
                 "Use dev key number N of the scheme (deterministic, public: for tests and demos only)");
  app.add_flag("-f,--force", force, "Overwrite an existing key file");
  return tool.run(argc, argv, [&]() -> Status {
    if (!show.empty()) {
      auto key = ROLLUP_TRY(codec::read_account_key_file(show));
      std::printf("%s\n", to_hex(key.public_key()).c_str());
      return {};
    }
    auto scheme = crypto::parse_scheme(scheme_name);
    if (!scheme) return fail(Errc::usage, "--scheme: " + scheme.error().message);
    if (out.empty()) return fail(Errc::usage, "give --out FILE (or --show FILE)");
    auto key = dev ? crypto::dev_account_key(*scheme, *dev) : crypto::AccountKey::generate(*scheme);
    ROLLUP_TRY(codec::write_key_file(out, key, force));
    std::printf("%s\n", to_hex(key.public_key()).c_str());
    return {};
  });
}
