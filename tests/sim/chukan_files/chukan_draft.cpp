#include "tests/sim/chukan_files/chukan_draft.hpp"

#include <stdexcept>

#include "tests/sim/filings/text_encoding.hpp"

namespace sekisho::sim::chukan_files {
namespace {

std::string join(const Fields& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i)
        out += (i == 0 ? "" : ",") + fields[i];
    return out;
}

}  // namespace

std::string record_line(const Draft& draft, std::size_t index) {
    return join(draft.records.at(index));
}

std::string render(const Draft& draft, const RenderOptions& options) {
    const std::string count = std::to_string(draft.records.size());
    std::string text =
        join({"H", draft.kind, draft.insurer, draft.created, draft.header_count.value_or(count)}) +
        options.eol;
    for (const auto& r : draft.records)
        text += join(r) + options.eol;
    if (options.trailer)
        text += join({"T", draft.trailer_count.value_or(count)}) + options.eol;
    return filings::utf8_to_cp932(text);
}

void replace_once(std::string& bytes, const std::string& from, const std::string& to) {
    const auto pos = bytes.find(from);
    if (pos == std::string::npos)
        throw std::logic_error("chukan files: text to replace not found");
    bytes.replace(pos, from.size(), to);
}

}  // namespace sekisho::sim::chukan_files
