#pragma once
// clamd's answers in z mode (the NUL already removed), parsed strictly: only the exact
// text "stream: OK" is clean; anything not recognised is an error, never clean.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::clamd {

// Longest reply read from clamd; longer ones are errors.
inline constexpr std::size_t kMaxReply = 4096;
// Longest signature name or reply excerpt kept for messages and verdicts.
inline constexpr std::size_t kMaxShownText = 128;

struct StreamReply {
    enum class Kind { clean, found, size_limit, error };
    Kind kind = Kind::error;
    std::string text;  // found: the signature name; error: the reply (both via printable())
};

// "stream: OK" → clean; "stream: NAME FOUND" → found NAME; "INSTREAM size limit
// exceeded. ERROR" → size_limit; everything else → error.
StreamReply parse_stream_reply(std::string_view reply);

struct VersionInfo {
    std::string engine;                // "1.4.6"
    std::optional<unsigned> database;  // daily database version, when loaded
    std::optional<std::chrono::system_clock::time_point> database_time;  // its build time
};

// "ClamAV 1.4.6/27000/Mon Nov 23 08:00:00 2026" (official databases loaded) or the bare
// "ClamAV 1.4.6" (custom signatures only); nullopt for anything else. clamd writes the date
// with ctime(), in its own local time zone, which is taken to be this machine's.
std::optional<VersionInfo> parse_version(std::string_view reply);

// "Mon Nov 23 08:00:00 2026" (one or more spaces between fields) as local time.
std::optional<std::chrono::system_clock::time_point> parse_ctime(std::string_view text);

// Printable ASCII only (others become '?'), cut to kMaxShownText with "..." appended.
std::string printable(std::string_view text);

}  // namespace sekisho::clamd
