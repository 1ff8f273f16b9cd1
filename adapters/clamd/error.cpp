#include "adapters/clamd/error.hpp"

namespace sekisho::clamd {

std::string_view to_string(Unavailable reason) {
    switch (reason) {
        case Unavailable::unreachable:
            return "unreachable";
        case Unavailable::timeout:
            return "timeout";
        case Unavailable::size_limit:
            return "size_limit";
        case Unavailable::stale_signatures:
            return "stale_signatures";
        case Unavailable::error:
            break;
    }
    return "error";
}

}  // namespace sekisho::clamd
