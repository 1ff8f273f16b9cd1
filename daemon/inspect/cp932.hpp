#pragma once
// CP932 (Microsoft Shift_JIS) without iconv: the sandboxed worker cannot load gconv modules.
// "Valid" means exactly what glibc's CP932 converter decodes (ASCII, half-width katakana
// 0xA1–0xDF, and the assigned double-byte codes including the user-defined area), except that
// NUL is refused: spec §1 wants CP932 text with no NUL bytes.

#include <cstddef>
#include <string_view>

namespace sekisho::inspect {

// The whole text decodes as CP932 and holds no NUL byte.
bool valid_cp932(std::string_view bytes);

// Offset of the first byte where decoding fails or a NUL stands; npos when there is none.
std::size_t cp932_invalid_at(std::string_view bytes);

// Size (1 or 2) of the character starting at `pos`; 0 when no character can start there
// (an unassigned byte, a lead byte without a valid trail byte). NUL counts as a character.
std::size_t cp932_char_size(std::string_view bytes, std::size_t pos);

// Half-width katakana and punctuation, one byte each (0xA1–0xDF).
constexpr bool is_halfwidth_kana(unsigned char c) {
    return c >= 0xA1 && c <= 0xDF;
}

}  // namespace sekisho::inspect
