#include "adapters/http/repr_digest.hpp"

#include <optional>
#include <stdexcept>

namespace sekisho::http {
namespace {

constexpr std::string_view kAlgorithm = "sha-256";

[[noreturn]] void malformed(const std::string& why) {
    throw std::invalid_argument("Repr-Digest: " + why);
}

bool is_lcalpha(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return is_lcalpha(c) || (c >= 'A' && c <= 'Z');
}
bool is_tchar(char c) {
    return is_alpha(c) || is_digit(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A parser of exactly as much of RFC 8941 (with RFC 9651 dates and display strings) as is
// needed to walk past members of any type: a naive split on "," would break on strings.
class DictionaryParser {
  public:
    explicit DictionaryParser(std::string_view text) : s_(text) {}

    // The byte sequence of the one `sha-256` member, as base64 text.
    std::string_view sha256_member() {
        skip(" ");
        if (at_end())
            malformed("empty field value");
        std::optional<std::string_view> found;
        for (;;) {
            const std::string_view name = key();
            const std::optional<std::string_view> bytes = member_value();
            if (name == kAlgorithm) {
                if (found)
                    malformed("more than one sha-256 member");
                if (!bytes)
                    malformed("the sha-256 member is not a byte sequence");
                found = bytes;
            }
            skip(" \t");
            if (at_end())
                break;
            expect(',');
            skip(" \t");
            if (at_end())
                malformed("trailing comma");
        }
        if (!found)
            malformed("no sha-256 member");
        return *found;
    }

  private:
    bool at_end() const { return i_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[i_]; }
    void skip(std::string_view chars) {
        while (!at_end() && chars.find(s_[i_]) != std::string_view::npos)
            ++i_;
    }
    void expect(char c) {
        if (peek() != c)
            malformed(std::string("expected '") + c + "' at offset " + std::to_string(i_));
        ++i_;
    }

    std::string_view key() {
        const std::size_t start = i_;
        if (!is_lcalpha(peek()) && peek() != '*')
            malformed("bad key at offset " + std::to_string(i_));
        while (!at_end() && (is_lcalpha(peek()) || is_digit(peek()) ||
                             std::string_view("_-.*").find(peek()) != std::string_view::npos))
            ++i_;
        return s_.substr(start, i_ - start);
    }

    // Parses "[= value] parameters"; returns the base64 text when the value is a byte sequence.
    std::optional<std::string_view> member_value() {
        std::optional<std::string_view> bytes;
        if (peek() == '=') {
            ++i_;
            if (peek() == '(')
                inner_list();
            else
                bytes = bare_item();
        }
        parameters();
        return bytes;
    }

    void inner_list() {
        expect('(');
        for (;;) {
            skip(" ");
            if (peek() == ')')
                break;
            bare_item();
            parameters();
            if (peek() != ' ' && peek() != ')')
                malformed("bad inner list at offset " + std::to_string(i_));
        }
        ++i_;
        parameters();
    }

    void parameters() {
        while (peek() == ';') {
            ++i_;
            skip(" ");
            key();
            if (peek() == '=') {
                ++i_;
                bare_item();
            }
        }
    }

    // Returns the base64 text of a byte sequence, nullopt for any other item type.
    std::optional<std::string_view> bare_item() {
        const char c = peek();
        if (c == ':')
            return byte_sequence();
        if (c == '-' || is_digit(c))
            number();
        else if (c == '"')
            string();
        else if (c == '%')
            display_string();
        else if (c == '@') {
            ++i_;
            number();
        } else if (c == '?') {
            ++i_;
            if (peek() != '0' && peek() != '1')
                malformed("bad boolean at offset " + std::to_string(i_));
            ++i_;
        } else if (is_alpha(c) || c == '*') {
            while (!at_end() && (is_tchar(peek()) || peek() == ':' || peek() == '/'))
                ++i_;
        } else {
            malformed("bad item at offset " + std::to_string(i_));
        }
        return std::nullopt;
    }

    std::string_view byte_sequence() {
        ++i_;
        const std::size_t end = s_.find(':', i_);
        if (end == std::string_view::npos)
            malformed("unterminated byte sequence");
        const std::string_view text = s_.substr(i_, end - i_);
        i_ = end + 1;
        return text;
    }

    void number() {
        if (peek() == '-')
            ++i_;
        std::size_t digits = 0;
        while (is_digit(peek())) {
            ++i_;
            ++digits;
        }
        if (digits == 0 || digits > 15)
            malformed("bad number at offset " + std::to_string(i_));
        if (peek() == '.') {
            ++i_;
            std::size_t fraction = 0;
            while (is_digit(peek())) {
                ++i_;
                ++fraction;
            }
            if (fraction == 0 || fraction > 3 || digits > 12)
                malformed("bad decimal at offset " + std::to_string(i_));
        }
    }

    void string() {
        ++i_;
        for (;;) {
            if (at_end())
                malformed("unterminated string");
            const char c = s_[i_++];
            if (c == '"')
                return;
            if (c == '\\') {
                if (peek() != '"' && peek() != '\\')
                    malformed("bad escape in string");
                ++i_;
            } else if (c < 0x20 || c > 0x7e) {
                malformed("bad character in string");
            }
        }
    }

    void display_string() {
        ++i_;
        if (peek() != '"')
            malformed("bad display string");
        ++i_;
        while (!at_end() && peek() != '"') {
            const char c = s_[i_];
            if (c < 0x20 || c > 0x7e)
                malformed("bad character in display string");
            ++i_;
        }
        expect('"');
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

}  // namespace

Sha256Digest parse_repr_digest_sha256(std::string_view field_value) {
    const std::string_view text = DictionaryParser(field_value).sha256_member();
    const auto bytes = base64_decode(text, /*padding_optional=*/true);
    if (!bytes)
        malformed("the sha-256 value is not valid base64");
    if (bytes->size() != Sha256Digest{}.size())
        malformed("the sha-256 value has " + std::to_string(bytes->size()) +
                  " bytes instead of 32");
    Sha256Digest out{};
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
}

std::string format_repr_digest_sha256(const Sha256Digest& digest) {
    return std::string(kAlgorithm) + "=:" + base64_encode(digest) + ":";
}

}  // namespace sekisho::http
