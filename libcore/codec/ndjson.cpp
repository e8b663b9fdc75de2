#include "codec/ndjson.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rollup::codec {

namespace {
std::string describe_size(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}
}  // namespace

Result<LineReader> LineReader::open(const std::string& path, std::size_t max_line) {
  if (path == "-") return LineReader(STDIN_FILENO, "-", false, max_line);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::io, path + ": " + std::strerror(errno));
  return LineReader(fd, path, true, max_line);
}

LineReader::LineReader(int fd, std::string file, bool owns, std::size_t max_line)
    : fd_(fd), owns_(owns), max_line_(max_line), file_(std::move(file)) {
  buf_.resize(std::min<std::size_t>(1 << 16, max_line_ + 1));
}

LineReader::LineReader(LineReader&& o) noexcept
    : fd_(o.fd_), owns_(o.owns_), eof_(o.eof_), skipping_(o.skipping_), max_line_(o.max_line_),
      file_(std::move(o.file_)), line_(o.line_), buf_(std::move(o.buf_)), pos_(o.pos_), len_(o.len_) {
  o.fd_ = -1;
  o.owns_ = false;
}

LineReader::~LineReader() {
  if (owns_ && fd_ >= 0) ::close(fd_);
}

bool LineReader::fill() {
  if (eof_) return false;
  if (pos_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
    len_ -= pos_;
    pos_ = 0;
  }
  // A line and its newline fit in max_line_ + 1 bytes; next() reports a line before it needs more.
  if (len_ == buf_.size()) buf_.resize(std::min(buf_.size() * 2, max_line_ + 1));
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data() + len_, buf_.size() - len_);
    if (n > 0) {
      len_ += static_cast<std::size_t>(n);
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    throw Failure(Error{Errc::io, file_ + ": read error: " + std::strerror(errno)});
  }
}

bool LineReader::skip_to_next_line() {
  for (;;) {
    const void* nl = std::memchr(buf_.data() + pos_, '\n', len_ - pos_);
    if (nl) {
      pos_ = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
      skipping_ = false;
      return true;
    }
    pos_ = len_ = 0;
    if (!fill()) return false;
  }
}

Result<std::optional<Line>> LineReader::next() {
  try {
    if (skipping_ && !skip_to_next_line()) return std::optional<Line>{};
    for (;;) {
      std::size_t scan_from = pos_;
      for (;;) {
        const char* start = buf_.data() + scan_from;
        const void* nl = std::memchr(start, '\n', len_ - scan_from);
        if (nl) {
          const char* end = static_cast<const char*>(nl);
          std::size_t line_len = static_cast<std::size_t>(end - (buf_.data() + pos_));
          ++line_;
          Line line{std::string(buf_.data() + pos_, line_len), file_, line_};
          pos_ += line_len + 1;
          if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
          if (line.text.find_first_not_of(" \t") == std::string::npos) break;  // blank: skip
          return line;
        }
        if (len_ - pos_ > max_line_) {
          ++line_;
          pos_ = len_;
          skipping_ = true;
          return fail(Errc::bad_input, file_ + ":" + std::to_string(line_) + ": line longer than " +
                                           describe_size(max_line_));
        }
        std::size_t scanned = len_;
        std::size_t consumed_before = pos_;
        if (!fill()) {
          if (len_ == pos_) return std::optional<Line>{};
          ++line_;  // a last line without newline still counts
          Line line{std::string(buf_.data() + pos_, len_ - pos_), file_, line_};
          pos_ = len_;
          if (line.text.find_first_not_of(" \t\r") == std::string::npos) return std::optional<Line>{};
          return line;
        }
        scan_from = scanned - consumed_before;  // fill() moved the unread bytes to offset 0
      }
    }
  } catch (const Failure& f) {
    return std::unexpected(f.error);
  }
}

bool LineReader::wait_readable(int timeout_ms) const {
  if (has_buffered() || eof_) return true;
  pollfd p{fd_, POLLIN, 0};
  int r = ::poll(&p, 1, timeout_ms);
  return r != 0;
}

Status LineWriter::write(std::string_view line) {
  if (std::fwrite(line.data(), 1, line.size(), out_) != line.size() || std::fputc('\n', out_) == EOF ||
      std::fflush(out_) != 0)
    return fail(Errc::io, std::string("write error: ") + std::strerror(errno));
  return {};
}

Status LineWriter::finish() {
  if (std::fflush(out_) != 0 || std::ferror(out_))
    return fail(Errc::io, std::string("write error: ") + std::strerror(errno));
  return {};
}

}  // namespace rollup::codec
