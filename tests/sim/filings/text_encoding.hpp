#pragma once
// UTF-8 <-> CP932 with glibc iconv(3). The CSV and the .txt attachments travel in CP932.

#include <optional>
#include <string>
#include <string_view>

namespace sekisho::sim::filings {

// Throws std::runtime_error when `utf8` holds a character CP932 cannot represent.
std::string utf8_to_cp932(std::string_view utf8);
// nullopt when `cp932` is not valid CP932.
std::optional<std::string> cp932_to_utf8(std::string_view cp932);

}  // namespace sekisho::sim::filings
