#pragma once
// One stream for a whole filing: a tar archive (ustar, members stored as they are) holding
// the package itself and then every entry the inspector extracted, each as its own member.
// clamd unpacks it and scans every member as a file of its own (type detection, archive
// recursion into the package) for the cost of one INSTREAM, where a stream per entry costs
// a connection, a temporary file and a scan set-up each (about 0.3 ms of clamd's time per
// stream on a small package, more than scanning the bytes).
//
// Members are named by position ("0" the package, "1".. the entries): entry names are the
// filer's text and are not needed by clamd.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "adapters/clamd/package_scan.hpp"

namespace sekisho::clamd {

// The largest bundle sent as one stream. Larger filings are scanned a stream per entry.
// Chosen so that clamd's own limits (MaxFileSize, MaxScanSize: the bundle, its members and
// the package's members together) stay far below their defaults (100M, 400M); README and
// sekishod.conf(5) ask administrators not to set them below 32M.
inline constexpr std::uint64_t kMaxBundle = 8ull * 1024 * 1024;

// The bundle's size before it is built (tar headers and padding included).
std::uint64_t bundle_size(std::string_view package, std::span<const Entry> entries);

// The tar archive; throws std::runtime_error if libarchive cannot write it.
std::string make_bundle(std::string_view package, std::span<const Entry> entries);

// A bundle whose member is a ZIP holding the EICAR test file deflated, built at run time
// (no source or binary holds it whole, and the stream never holds its bytes): clamd must
// find it by unpacking both before bundles are trusted to have every member scanned
// (ScanArchive may be off, or the signatures may lack EICAR).
std::string archive_canary();

}  // namespace sekisho::clamd
