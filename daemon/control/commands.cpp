#include "daemon/control/commands.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace sekisho::control {
namespace {

constexpr unsigned bit(Role r) {
    return 1u << static_cast<unsigned>(r);
}
constexpr unsigned kOperator = bit(Role::operator_role);
constexpr unsigned kApprover = bit(Role::approver);
constexpr unsigned kAdmin = bit(Role::admin);
constexpr unsigned kAuditor = bit(Role::auditor);

struct Entry {
    std::string_view command;
    unsigned roles;
};

constexpr std::array<Entry, 16> kMatrix{{
    {"status", kOperator | kApprover | kAdmin | kAuditor},
    {"list", kOperator | kApprover | kAuditor},
    {"show", kOperator | kApprover | kAuditor},
    {"show-content", kOperator},
    {"release", kOperator},
    {"reject", kOperator},
    {"hold", kOperator},
    {"requeue", kOperator},
    {"submit", kOperator},
    {"approve", kApprover},
    {"audit-verify", kAuditor},
    {"audit-export", kAuditor},
    {"certs-list", kAdmin | kAuditor},
    {"certs-rotate", kAdmin},
    {"certs-rollback", kAdmin},
    {"keys-rotate", kAdmin},
}};

const Entry* find(std::string_view command) {
    for (const auto& e : kMatrix) {
        if (e.command == command)
            return &e;
    }
    return nullptr;
}

constexpr std::size_t kMaxReasonChars = 400;
constexpr std::size_t kMyNumberDigits = 12;

// The digit value of an ASCII or full-width (U+FF10..U+FF19) digit at s[i], with its
// length in bytes; nullopt for anything else.
std::optional<std::pair<int, std::size_t>> digit_at(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= '0' && c <= '9')
        return std::pair{c - '0', std::size_t{1}};
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC) {
        const auto d = static_cast<unsigned char>(s[i + 2]);
        if (d >= 0x90 && d <= 0x99)
            return std::pair{d - 0x90, std::size_t{3}};
    }
    return std::nullopt;
}

// A separator people write inside a number: space, hyphen, dot, slash, comma, and their
// full-width and Japanese forms. Returns its length, or 0.
std::size_t separator_at(std::string_view s, std::size_t i) {
    if (s[i] == ' ' || s[i] == '-' || s[i] == '.' || s[i] == '/' || s[i] == ',')
        return 1;
    for (std::string_view sep : {"\u3000", "\uFF0D", "\u30FC", "\u2212", "\uFF0E", "\uFF0F",
                                 "\uFF0C", "\u3001", "\u30FB"}) {
        if (s.substr(i, sep.size()) == sep)
            return sep.size();
    }
    return 0;
}

bool holds_twelve_digit_number(std::string_view s) {
    std::size_t digits = 0;
    std::size_t i = 0;
    while (i <= s.size()) {
        if (i < s.size()) {
            if (const auto d = digit_at(s, i)) {
                ++digits;
                i += d->second;
                continue;
            }
            if (const std::size_t sep = separator_at(s, i); sep > 0 && digits > 0) {
                i += sep;
                continue;
            }
        }
        // 12 digits, or more: a 個人番号 may sit inside a longer run ("123456789012 2枚目").
        if (digits >= kMyNumberDigits)
            return true;
        digits = 0;
        ++i;
    }
    return false;
}

std::size_t utf8_chars(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xc0) != 0x80;
    return n;
}

}  // namespace

bool known_command(std::string_view command) {
    return find(command) != nullptr;
}

bool permitted(std::string_view command, const Authorization& who) {
    const Entry* e = find(command);
    if (e == nullptr)
        return false;
    for (Role r : who.roles) {
        if (e->roles & bit(r))
            return true;
    }
    return false;
}

std::string display_name(std::string_view command) {
    if (command == "show-content")
        return "show --content";
    std::string words(command);
    std::replace(words.begin(), words.end(), '-', ' ');
    return words;
}

std::string roles_allowed(std::string_view command) {
    const Entry* e = find(command);
    std::string out;
    for (Role r : {Role::operator_role, Role::approver, Role::admin, Role::auditor}) {
        if (e != nullptr && (e->roles & bit(r)))
            out += (out.empty() ? "" : " or ") + std::string(name(r));
    }
    return out.empty() ? "no role" : out;
}

std::optional<std::string> reason_text_problem(std::string_view text) {
    if (text.empty())
        return "the reason must not be empty";
    if (utf8_chars(text) > kMaxReasonChars)
        return "the reason is longer than 400 characters";
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7f)
            return "the reason must not contain control characters (one line of text)";
    }
    if (holds_twelve_digit_number(text))
        return "the reason holds a number of 12 or more digits, which could be a 個人番号: it "
               "goes to the sender and must not carry one";
    return std::nullopt;
}

}  // namespace sekisho::control
