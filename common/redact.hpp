#pragma once
// The last line of defence before text leaves the process in a log line, error reply or
// metric label: whatever a caller passes, runs of exactly 12 digits (a 個人番号, possibly
// split by spaces or hyphens) and non-ASCII text (names and addresses in kana and kanji)
// are replaced. Control characters are escaped so a value cannot forge log lines.

#include <string>
#include <string_view>

namespace sekisho {

inline constexpr std::string_view kRedactedNumber = "[number redacted]";
inline constexpr std::string_view kRedactedText = "[text redacted]";

std::string redact(std::string_view text);

}  // namespace sekisho
