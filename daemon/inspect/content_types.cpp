#include "daemon/inspect/content_types.hpp"

#include <algorithm>
#include <array>

#include "daemon/inspect/cp932.hpp"
#include "daemon/inspect/entry_names.hpp"
#include "daemon/inspect/reason_codes.hpp"

namespace sekisho::inspect {
namespace {

struct Magic {
    std::size_t offset;
    std::string_view bytes;
};

using namespace std::string_view_literals;

// Archives and executables, which no file of a package may be, whatever its extension.
constexpr std::array kForbidden{
    Magic{0, "PK\x03\x04"sv},
    Magic{0, "PK\x05\x06"sv},
    Magic{0, "PK\x07\x08"sv},
    Magic{0, "Rar!\x1A\x07"sv},
    Magic{0, "7z\xBC\xAF\x27\x1C"sv},
    Magic{0, "\x1F\x8B"sv},
    Magic{0,
          "\xFD"
          "7zXZ\x00"sv},
    Magic{0, "MSCF"sv},
    Magic{0, "\x28\xB5\x2F\xFD"sv},
    Magic{257, "ustar"sv},
    Magic{2, "-lh"sv},
    Magic{0, "MZ"sv},
    Magic{0,
          "\x7F"
          "ELF"sv},
    Magic{0, "\xCA\xFE\xBA\xBE"sv},
    Magic{0, "\xFE\xED\xFA\xCE"sv},
    Magic{0, "\xFE\xED\xFA\xCF"sv},
    Magic{0, "\xCE\xFA\xED\xFE"sv},
    Magic{0, "\xCF\xFA\xED\xFE"sv},
    Magic{0, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"sv},
};

bool has_magic(std::string_view bytes, const Magic& m) {
    return bytes.size() >= m.offset + m.bytes.size() &&
           bytes.substr(m.offset, m.bytes.size()) == m.bytes;
}

bool forbidden(std::string_view bytes) {
    return std::any_of(kForbidden.begin(), kForbidden.end(),
                       [&](const Magic& m) { return has_magic(bytes, m); }) ||
           (bytes.starts_with("BZh") && bytes.size() > 3 && bytes[3] >= '1' && bytes[3] <= '9');
}

std::string_view extension(std::string_view name) {
    const std::size_t dot = name.rfind('.');
    return dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
}

// What an entry's bytes must look like, by extension; the XML files and the CSV are
// judged by their own parsers. Null when the content is acceptable.
const char* content_fault(std::string_view name, std::string_view bytes) {
    if (forbidden(bytes))
        return "archive or executable inside the package";
    const std::string_view ext = extension(name);
    if (ext == "xml" || name == "KPFD0006.CSV")
        return nullptr;
    if (ext == "pdf")
        return bytes.starts_with("%PDF-") ? nullptr : "not a PDF (no %PDF- header)";
    if (ext == "jpg")
        return bytes.starts_with("\xFF\xD8\xFF") ? nullptr : "not a JPEG (no FF D8 FF header)";
    if (ext == "png")
        return bytes.starts_with("\x89PNG\r\n\x1A\n") ? nullptr : "not a PNG (no PNG signature)";
    if (ext == "txt")
        return valid_cp932(bytes) ? nullptr : "text not CP932 or holding NUL bytes";
    return "file type not allowed (pdf, jpg, png, txt)";
}

}  // namespace

void check_content_types(const Package& package, Verdict& verdict) {
    for (const auto& e : package.entries) {
        if (const char* fault = content_fault(e.name, e.bytes))
            verdict.add(code::type_mismatch, file_label(e.name), fault);
    }
}

}  // namespace sekisho::inspect
