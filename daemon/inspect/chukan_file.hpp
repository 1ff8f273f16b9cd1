#pragma once
// The inspection of one 中間サーバー file (spec/chukan-api.md, Files): a result file the
// server listed, or a request file an operator submitted. Parses untrusted bytes: runs in the
// sandboxed worker (worker_client.hpp, InspectWorker::inspect_chukan), never in the daemon.
//
// Rules, in the order a file meets them (reason codes: chukan_reason_codes.hpp):
// - at most limits.max_bytes, else E-CHUKAN-LIMIT and nothing else is looked at;
// - CP932, every line ended by CRLF (the last line may end without one), no NUL, no '"';
//   bytes that are not CP932 leave only E-CHUKAN-ENCODING (and LIMIT) in the verdict;
// - line 1: H,<kind>,<保険者番号 8 digits>,<作成日時 YYYYMMDDhhmmss>,<record count>, the
//   kind equal to `expected_kind` (E-CHUKAN-KIND), the count at most limits.max_records;
// - then the records, each with exactly the fields of its kind and their rules
//   (chukan_kinds.cpp), checked against the header's kind when it is one of the six;
// - then the trailer T,<record count> and nothing after it (not even an empty line);
// - at least one record; header count, trailer count and the records agree.
// A line over limits.max_line or more records than limits.max_records end the inspection
// with E-CHUKAN-LIMIT.

#include <string_view>

#include "daemon/inspect/chukan_inspection.hpp"

namespace sekisho::inspect {

ChukanInspection inspect_chukan_file(std::string_view bytes, std::string_view expected_kind,
                                     const ChukanLimits& limits);

}  // namespace sekisho::inspect
