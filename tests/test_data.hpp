#pragma once
// Reads whitespace-separated vector files from tests/data (lines starting with # are comments).
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace rollup::test {

inline std::string data_path(const std::string& name) {
  const char* dir = std::getenv("ROLLUP_TEST_DATA");
  return std::string(dir ? dir : ROLLUP_TEST_DATA) + "/" + name;
}

inline std::vector<std::vector<std::string>> read_vectors(const std::string& name) {
  std::ifstream in(data_path(name));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;) row.push_back(w);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace rollup::test
