#include "tests/sim/filings/attachments.hpp"

#include <zlib.h>

#include <cstdio>
#include <stdexcept>

#include "tests/sim/filings/text_encoding.hpp"

namespace sekisho::sim::filings {
namespace {

std::string be32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
            static_cast<char>(v)};
}

std::string png_chunk(std::string_view type, const std::string& data) {
    std::string body = std::string(type) + data;
    const auto crc =
        crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
    return be32(static_cast<std::uint32_t>(data.size())) + body +
           be32(static_cast<std::uint32_t>(crc));
}

std::string zlib_compress(const std::string& raw) {
    uLongf size = compressBound(static_cast<uLong>(raw.size()));
    std::string out(size, '\0');
    if (compress(reinterpret_cast<Bytef*>(out.data()), &size,
                 reinterpret_cast<const Bytef*>(raw.data()),
                 static_cast<uLong>(raw.size())) != Z_OK)
        throw std::runtime_error("zlib compress failed");
    out.resize(size);
    return out;
}

std::string offset10(std::size_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%010zu", v);
    return buf;
}

}  // namespace

std::string make_pdf(Rng& rng) {
    // One empty A4 page; the xref offsets are computed so that PDF readers accept it.
    const std::vector<std::string> objects{
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        "<< /Title (sekisho test attachment " + std::to_string(rng.uniform(1, 9999)) + ") >>",
    };
    std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const auto off : offsets)
        pdf += offset10(off) + " 00000 n \n";
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
           " /Root 1 0 R /Info 4 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

std::string make_jpeg(Rng& rng) {
    std::string jpg("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
    const std::string comment = "sekisho test image";
    jpg += std::string("\xFF\xFE", 2) + static_cast<char>(0) +
           static_cast<char>(comment.size() + 2) + comment;
    for (int i = 0; i < 200; ++i)
        jpg += static_cast<char>(rng.uniform(0, 0xFE));  // no 0xFF: no stray markers
    jpg += std::string("\xFF\xD9", 2);
    return jpg;
}

std::string make_png(Rng& rng) {
    constexpr int kSide = 16;
    std::string ihdr = be32(kSide) + be32(kSide);
    ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit grayscale, no interlace
    std::string raw;
    for (int y = 0; y < kSide; ++y) {
        raw += '\0';  // filter: none
        for (int x = 0; x < kSide; ++x)
            raw += static_cast<char>(rng.uniform(0, 255));
    }
    return std::string("\x89PNG\r\n\x1A\n", 8) + png_chunk("IHDR", ihdr) +
           png_chunk("IDAT", zlib_compress(raw)) + png_chunk("IEND", "");
}

std::string make_txt(const std::vector<std::string>& utf8_lines) {
    std::string text;
    for (const auto& line : utf8_lines)
        text += line + "\r\n";
    return utf8_to_cp932(text);
}

}  // namespace sekisho::sim::filings
