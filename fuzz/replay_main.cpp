// Replays kept fuzz inputs through the fuzz targets without libFuzzer, so every CI run checks
// them with the normal compiler: `fuzz_replay DIR` runs DIR/<target>/* through each target,
// `fuzz_replay TARGET FILE...` runs the given files. A crash or a failed invariant aborts.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fuzz.hpp"

namespace rollup::fuzz {

namespace {
std::map<std::string, Target>& targets() {
  static std::map<std::string, Target> all;
  return all;
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

bool register_target(const char* name, Target target) {
  targets().emplace(name, target);
  return true;
}

}  // namespace rollup::fuzz

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using namespace rollup::fuzz;
  if (argc < 2) {
    std::fprintf(stderr, "usage: fuzz_replay DIR | fuzz_replay TARGET FILE...\n");
    return 2;
  }
  std::size_t replayed = 0;
  if (argc == 2 && fs::is_directory(argv[1])) {
    for (const auto& dir : fs::directory_iterator(argv[1])) {
      if (!dir.is_directory()) continue;
      auto target = targets().find(dir.path().filename().string());
      if (target == targets().end()) {
        std::fprintf(stderr, "fuzz_replay: %s: no such fuzz target\n", dir.path().c_str());
        return 2;
      }
      for (const auto& file : fs::directory_iterator(dir.path())) {
        if (!file.is_regular_file()) continue;
        auto bytes = read_file(file.path());
        target->second({bytes.data(), bytes.size()});
        ++replayed;
      }
    }
    // Every target has kept inputs, so a target that is not replayed is noticed.
    for (const auto& [name, target] : targets())
      if (!fs::is_directory(fs::path(argv[1]) / name)) {
        std::fprintf(stderr, "fuzz_replay: no inputs kept for target %s\n", name.c_str());
        return 1;
      }
  } else {
    auto target = targets().find(argv[1]);
    if (target == targets().end()) {
      std::fprintf(stderr, "fuzz_replay: %s: no such fuzz target\n", argv[1]);
      return 2;
    }
    for (int i = 2; i < argc; ++i) {
      auto bytes = read_file(argv[i]);
      target->second({bytes.data(), bytes.size()});
      ++replayed;
    }
  }
  std::printf("fuzz_replay: %zu inputs through %zu targets, no failure\n", replayed, targets().size());
  return 0;
}
