#pragma once
// 個人番号 (spec §5): check digit, and stray numbers in free text.

#include <string_view>

namespace sekisho::inspect {

// Exactly 12 ASCII digits with the check digit of 総務省令第85号 第5条.
bool valid_mynumber(std::string_view digits);

enum class TextEncoding { utf8, cp932 };

// Whether the text holds a run of exactly 12 digits (ASCII or full-width, in the given
// encoding) whose check digit is valid.
bool contains_mynumber(std::string_view text, TextEncoding encoding);

}  // namespace sekisho::inspect
