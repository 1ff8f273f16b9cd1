#include "adapters/http/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace sekisho::http {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
    const auto pos = kAlphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Strips the "=" padding after checking it is where it belongs; nullopt when misplaced.
std::optional<std::string_view> strip_padding(std::string_view text, bool padding_optional) {
    if (text.size() % 4 != 0 && !padding_optional)
        return std::nullopt;
    std::size_t pad = 0;
    while (pad < text.size() && pad < 2 && text[text.size() - 1 - pad] == '=')
        ++pad;
    if (pad > 0 && text.size() % 4 != 0)
        return std::nullopt;  // padding present must make whole quads
    text.remove_suffix(pad);
    if (text.size() % 4 == 1)
        return std::nullopt;  // six bits cannot end a byte sequence
    return text;
}

}  // namespace

std::string base64_encode(std::span<const unsigned char> bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        unsigned v = static_cast<unsigned>(bytes[i]) << 16;
        if (n > 1)
            v |= static_cast<unsigned>(bytes[i + 1]) << 8;
        if (n > 2)
            v |= bytes[i + 2];
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += n > 1 ? kAlphabet[(v >> 6) & 63] : '=';
        out += n > 2 ? kAlphabet[v & 63] : '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text, bool padding_optional) {
    const auto body = strip_padding(text, padding_optional);
    if (!body)
        return std::nullopt;
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (char c : *body) {
        const int v = base64_value(c);
        if (v < 0)
            return std::nullopt;
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    // Non-zero leftover bits mean a non-canonical encoding: two texts for one value.
    if ((acc & ((1u << bits) - 1)) != 0)
        return std::nullopt;
    return out;
}

}  // namespace sekisho::http
