#pragma once
// Valid 中間サーバー files of the six kinds with synthetic content: names in kanji and
// half-width katakana, real dates, 個人番号 with a valid check digit where the kind has them.
// The first records of each file follow a fixed pattern (chukan_kinds.cpp's rules between
// fields), so that every invalid case finds the record it changes:
//   SHIKAKU-REG-REQ  0: 処理区分 2 with 被保険者枝番   1: 処理区分 1 (新規) with 資格喪失年月日
//   SHIKAKU-REG-RES  0: 結果コード 0                  1: an error with エラー内容
//   HONNIN-REQ       0: 主たる照会条件 1              1: 主たる照会条件 2 with 住所
//   HONNIN-RES       0: 処理結果 0 with 異動事由      1: 処理結果 2         2: 処理結果 1
//   SHOKAI-REQ       any
//   SHOKAI-RES       0: with 結果データ               1: 不開示コード

#include <string_view>

#include "tests/sim/chukan_files/chukan_draft.hpp"
#include "tests/sim/filings/rng.hpp"
#include "tests/sim/filings/synthetic_people.hpp"

namespace sekisho::sim::chukan_files {

using filings::Date;
using filings::Rng;

inline constexpr int kPatternRecords = 3;  // a file has at least this many records

// A file of `kind` made on `day` with `records` (≥ kPatternRecords) records.
Draft make_valid(Rng& rng, std::string_view kind, Date day, int records);

}  // namespace sekisho::sim::chukan_files
