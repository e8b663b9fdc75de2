#pragma once
// Line-oriented NDJSON input and output. The reader remembers file name and line number so every
// diagnostic reads `prog: FILE:LINE: message`; the writer flushes each line so pipeline stages
// see records as soon as they are made.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace rollup::codec {

/// Lines longer than this are bad input rather than a reason to exhaust memory.
inline constexpr std::size_t kMaxLineBytes = 64u << 20;

struct Line {
  std::string text;
  std::string file;  ///< "-" for stdin
  std::size_t number = 0;
  /// "FILE:LINE" for diagnostics.
  std::string where() const { return file + ":" + std::to_string(number); }
};

class LineReader {
 public:
  /// Opens `path` ("-" = stdin). Fails with Errc::io if the file cannot be opened. Never holds
  /// more than `max_line + 1` bytes: a longer line is reported, then skipped to its end.
  static Result<LineReader> open(const std::string& path, std::size_t max_line = kMaxLineBytes);
  LineReader(LineReader&& other) noexcept;
  LineReader& operator=(LineReader&&) = delete;
  ~LineReader();

  /// The next non-blank line, std::nullopt at end of input; an error for an over-long line
  /// (bad input: the next call goes on after it) or a read error.
  Result<std::optional<Line>> next();
  const std::string& file() const { return file_; }
  std::size_t line_number() const { return line_; }
  /// Waits at most `timeout_ms` for input to become readable (false on timeout). Lets the
  /// sequencer cut a block on its timer while stdin is quiet.
  bool wait_readable(int timeout_ms) const;
  /// True when buffered input is already available without blocking.
  bool has_buffered() const { return pos_ < len_; }

 private:
  LineReader(int fd, std::string file, bool owns, std::size_t max_line);
  bool fill();
  /// Drops the rest of an over-long line; false at end of input.
  bool skip_to_next_line();
  int fd_ = -1;
  bool owns_ = false;
  bool eof_ = false;
  bool skipping_ = false;  ///< inside an over-long line that was reported
  std::size_t max_line_;
  std::string file_;
  std::size_t line_ = 0;
  std::string buf_;
  std::size_t pos_ = 0, len_ = 0;
};

/// Writes one record per line to stdout; a broken pipe ends the process quietly (SIGPIPE
/// is left at its default), any other write error is reported at the next call.
class LineWriter {
 public:
  explicit LineWriter(std::FILE* out = stdout) : out_(out) {}
  Status write(std::string_view line);
  Status finish();  ///< flushes and checks the stream once more

 private:
  std::FILE* out_;
};

}  // namespace rollup::codec
