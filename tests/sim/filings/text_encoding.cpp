#include "tests/sim/filings/text_encoding.hpp"

#include <iconv.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

namespace sekisho::sim::filings {
namespace {

std::optional<std::string> convert(const char* to, const char* from, std::string_view in) {
    iconv_t cd = iconv_open(to, from);
    if (cd == reinterpret_cast<iconv_t>(-1))
        throw std::runtime_error(std::string("iconv_open ") + from + " -> " + to + " failed");
    std::unique_ptr<void, int (*)(iconv_t)> guard(cd, iconv_close);
    std::string out(in.size() * 2 + 16, '\0');
    char* src = const_cast<char*>(in.data());
    std::size_t src_left = in.size();
    char* dst = out.data();
    std::size_t dst_left = out.size();
    while (src_left > 0) {
        if (iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<std::size_t>(-1))
            continue;
        if (errno != E2BIG)
            return std::nullopt;  // EILSEQ or EINVAL: not representable / truncated
        const std::size_t used = out.size() - dst_left;
        out.resize(out.size() * 2);
        dst = out.data() + used;
        dst_left = out.size() - used;
    }
    out.resize(out.size() - dst_left);
    return out;
}

}  // namespace

std::string utf8_to_cp932(std::string_view utf8) {
    auto out = convert("CP932", "UTF-8", utf8);
    if (!out)
        throw std::runtime_error("text not representable in CP932");
    return *out;
}

std::optional<std::string> cp932_to_utf8(std::string_view cp932) {
    return convert("UTF-8", "CP932", cp932);
}

}  // namespace sekisho::sim::filings
