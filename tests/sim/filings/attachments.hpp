#pragma once
// Attachment files: small but well-formed enough that their magic bytes and structure match
// their extension (spec §1). None of them carries anything personal.

#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/filings/rng.hpp"

namespace sekisho::sim::filings {

std::string make_pdf(Rng& rng);
// JFIF header, a comment segment and filler up to the end-of-image marker.
std::string make_jpeg(Rng& rng);
// A real grayscale PNG (IHDR, IDAT, IEND with correct CRCs).
std::string make_png(Rng& rng);
// CP932 text with CRLF line ends from UTF-8 lines.
std::string make_txt(const std::vector<std::string>& utf8_lines);

// The EICAR anti-virus test string (not a virus; every scanner reports it).
inline constexpr std::string_view kEicar =
    "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

}  // namespace sekisho::sim::filings
