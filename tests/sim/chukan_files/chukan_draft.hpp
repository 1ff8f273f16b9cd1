#pragma once
// A 中間サーバー file before it becomes bytes (spec/chukan-api.md, Files): header values,
// records as UTF-8 fields, trailer. Invalid cases change a draft, or the bytes it renders to.

#include <optional>
#include <string>
#include <vector>

namespace sekisho::sim::chukan_files {

using Fields = std::vector<std::string>;

struct Draft {
    std::string kind;
    std::string insurer = "06230017";        // 保険者番号, 8 digits
    std::string created = "20261124100000";  // 作成日時 YYYYMMDDhhmmss
    std::vector<Fields> records;
    // Counts as written; nullopt: the number of records.
    std::optional<std::string> header_count;
    std::optional<std::string> trailer_count;
    int multiple_matches = 0;  // HONNIN-RES records with 処理結果 2, for the manifest
};

struct RenderOptions {
    std::string eol = "\r\n";
    bool trailer = true;
};

// The header line, the records and the trailer in CP932, each line ended by `eol`.
// Throws when a field holds a character CP932 cannot represent.
std::string render(const Draft& draft, const RenderOptions& options = {});

// The rendered line of record `index` (0-based) as UTF-8, without its line end: invalid cases
// find it in the bytes to change it there.
std::string record_line(const Draft& draft, std::size_t index);

// Replaces the first `from` in `bytes` with `to`; throws when there is none.
void replace_once(std::string& bytes, const std::string& from, const std::string& to);

}  // namespace sekisho::sim::chukan_files
