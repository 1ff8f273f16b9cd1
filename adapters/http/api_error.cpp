#include "adapters/http/api_error.hpp"

namespace sekisho::http {

std::string describe(const Problem& p) {
    std::string s = std::to_string(p.status);
    if (!p.type.empty())
        s += " " + p.type;
    if (!p.title.empty())
        s += " (" + p.title + ")";
    return s;
}

ApiError::ApiError(Problem p) : std::runtime_error(describe(p)), problem_(std::move(p)) {}

bool ApiError::retryable() const {
    const unsigned s = problem_.status;
    return s >= 500 || s == 408 || s == 429;
}

}  // namespace sekisho::http
