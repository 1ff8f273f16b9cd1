#pragma once
// Reason codes of the 中間サーバー file inspection (spec/chukan-api.md, Files), spelled once.
// The filing codes (reason_codes.hpp) keep their meaning; these are for the six file kinds:
//
// | code                | meaning                                                          |
// |---------------------|------------------------------------------------------------------|
// | E-CHUKAN-ENCODING   | not CP932, a NUL byte, a line end other than CRLF, a quote       |
// | E-CHUKAN-HEADER     | line 1 is not H,<kind>,<保険者番号>,<作成日時>,<record count>     |
// | E-CHUKAN-KIND       | the header's kind is not the expected one (listed or submitted)  |
// | E-CHUKAN-TRAILER    | no trailer T,<record count>, a malformed one, or lines after it  |
// | E-CHUKAN-COUNT      | header count, trailer count and records disagree; no records     |
// | E-CHUKAN-FIELD      | a record with the wrong field count, or a field breaking its rule|
// | E-CHUKAN-MYNUMBER   | a 個人番号 field not empty and not a valid number, or a 個人番号 |
// |                     | where none may stand (excluded by the record, or in free text)   |
// | E-CHUKAN-LIMIT      | the file, a line or the record count exceeds its limit           |

#include <string_view>

namespace sekisho::inspect::code {

inline constexpr std::string_view chukan_encoding = "E-CHUKAN-ENCODING";
inline constexpr std::string_view chukan_header = "E-CHUKAN-HEADER";
inline constexpr std::string_view chukan_kind = "E-CHUKAN-KIND";
inline constexpr std::string_view chukan_trailer = "E-CHUKAN-TRAILER";
inline constexpr std::string_view chukan_count = "E-CHUKAN-COUNT";
inline constexpr std::string_view chukan_field = "E-CHUKAN-FIELD";
inline constexpr std::string_view chukan_mynumber = "E-CHUKAN-MYNUMBER";
inline constexpr std::string_view chukan_limit = "E-CHUKAN-LIMIT";

}  // namespace sekisho::inspect::code
