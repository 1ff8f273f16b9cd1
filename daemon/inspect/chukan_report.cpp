#include "daemon/inspect/chukan_report.hpp"

#include "daemon/inspect/chukan_reason_codes.hpp"

namespace sekisho::inspect::chukan {
namespace {

// The codes this inspection reports, each with its slot in the per-code counters.
constexpr std::array<std::string_view, 8> kCodes{
    code::chukan_encoding, code::chukan_limit, code::chukan_header, code::chukan_kind,
    code::chukan_trailer,  code::chukan_count, code::chukan_field,  code::chukan_mynumber,
};

std::size_t slot(std::string_view c) {
    for (std::size_t i = 0; i < kCodes.size(); ++i) {
        if (kCodes[i] == c)
            return i;
    }
    return kCodes.size();  // any other code: counted together, never expected here
}

bool about_bytes(std::string_view c) {
    return c == code::chukan_encoding || c == code::chukan_limit;
}

// Adds reasons up to the verdict's bound and says how many did not fit.
class Bounded {
  public:
    void add(const Reason& r) {
        if (verdict_.reasons().size() + 1 < Report::kMaxReasons)
            verdict_.add(r.code, r.where, r.detail);
        else
            drop(r.code, 1);
    }
    void drop(std::string_view c, std::size_t n) {
        if (n == 0)
            return;
        if (more_ == 0)
            more_code_ = std::string(c);
        more_ += n;
    }
    Verdict finish() {
        if (more_ > 0) {
            verdict_.add(more_code_, "file",
                         "more reasons found and not listed (" + std::to_string(more_) + ")");
        }
        return std::move(verdict_);
    }

  private:
    Verdict verdict_;
    std::size_t more_ = 0;
    std::string more_code_;
};

}  // namespace

bool Report::full(std::string_view c) {
    const std::size_t s = slot(c);
    if (kept_[s] < kPerCode)
        return false;
    ++dropped_[s];
    return true;
}

void Report::add(std::string_view c, std::string where, std::string detail) {
    ++kept_[slot(c)];
    reasons_.push_back({std::string(c), std::move(where), std::move(detail)});
}

void Report::file(std::string_view c, std::string_view detail) {
    if (!full(c))
        add(c, "file", std::string(detail));
}

void Report::line(std::string_view c, std::size_t line, std::string_view detail) {
    if (!full(c))
        add(c, "line " + std::to_string(line), std::string(detail));
}

void Report::field(std::string_view c, std::size_t line, std::size_t n, std::string_view name,
                   std::string_view rule) {
    if (!full(c)) {
        add(c, "line " + std::to_string(line) + " field " + std::to_string(n),
            std::string(name) + ": " + std::string(rule));
    }
}

Verdict Report::verdict(bool decodable) const {
    Bounded out;
    for (const auto& r : reasons_) {
        if (decodable || about_bytes(r.code))
            out.add(r);
    }
    for (std::size_t s = 0; s < kCodes.size(); ++s) {
        if (decodable || about_bytes(kCodes[s]))
            out.drop(kCodes[s], dropped_[s]);
    }
    return out.finish();
}

}  // namespace sekisho::inspect::chukan
