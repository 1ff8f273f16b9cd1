#include "daemon/inspect/mynumber.hpp"

#include <string>

#include "daemon/inspect/cp932.hpp"

namespace sekisho::inspect {
namespace {

constexpr std::size_t kDigits = 12;

bool ascii_digit(char c) {
    return c >= '0' && c <= '9';
}

// The digit value of the character at `pos` and its size in bytes; size 0 when it is no
// digit. Full-width digits ０..９ are U+FF10..U+FF19: EF BC 90..99 in UTF-8, 82 4F..58 in CP932.
struct Digit {
    int value = 0;
    std::size_t size = 0;
};

Digit digit_at(std::string_view text, std::size_t pos, TextEncoding encoding) {
    if (ascii_digit(text[pos]))
        return {text[pos] - '0', 1};
    const auto byte = [&](std::size_t i) {
        return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i]) : 0u;
    };
    if (encoding == TextEncoding::utf8) {
        if (byte(0) == 0xEF && byte(1) == 0xBC && byte(2) >= 0x90 && byte(2) <= 0x99)
            return {static_cast<int>(byte(2) - 0x90), 3};
        return {};
    }
    if (byte(0) == 0x82 && byte(1) >= 0x4F && byte(1) <= 0x58)
        return {static_cast<int>(byte(1) - 0x4F), 2};
    return {};
}

// Bytes to step over a character that is no digit. CP932 must advance by whole characters
// so that a trail byte is never read as the start of a full-width digit; UTF-8
// resynchronises by itself.
std::size_t skip(std::string_view text, std::size_t pos, TextEncoding encoding) {
    if (encoding == TextEncoding::cp932) {
        const std::size_t size = cp932_char_size(text, pos);
        return size == 0 ? 1 : size;
    }
    return 1;
}

}  // namespace

bool valid_mynumber(std::string_view digits) {
    if (digits.size() != kDigits)
        return false;
    for (const char c : digits) {
        if (!ascii_digit(c))
            return false;
    }
    // 総務省令第85号 第5条: P_n is the n-th digit from the right of the first 11.
    int sum = 0;
    for (int n = 1; n <= 11; ++n) {
        const int p = digits[static_cast<std::size_t>(11 - n)] - '0';
        const int q = n <= 6 ? n + 1 : n - 5;
        sum += p * q;
    }
    const int r = sum % 11;
    const int check = r <= 1 ? 0 : 11 - r;
    return digits[11] - '0' == check;
}

bool contains_mynumber(std::string_view text, TextEncoding encoding) {
    std::string run;  // the current run of digits, as ASCII; only its first 13 matter
    std::size_t length = 0;
    std::size_t pos = 0;
    const auto run_ends = [&] { return length == kDigits && valid_mynumber(run); };
    while (pos < text.size()) {
        const Digit d = digit_at(text, pos, encoding);
        if (d.size == 0) {
            if (run_ends())
                return true;
            run.clear();
            length = 0;
            pos += skip(text, pos, encoding);
            continue;
        }
        if (length < kDigits)
            run += static_cast<char>('0' + d.value);
        ++length;
        pos += d.size;
    }
    return run_ends();
}

}  // namespace sekisho::inspect
