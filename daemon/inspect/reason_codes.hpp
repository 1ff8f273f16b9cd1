#pragma once
// The reason codes of spec/filing-package.md §6, spelled once.

#include <string_view>

namespace sekisho::inspect::code {

inline constexpr std::string_view zip_corrupt = "E-ZIP-CORRUPT";
inline constexpr std::string_view zip_structure = "E-ZIP-STRUCTURE";
inline constexpr std::string_view zip_path = "E-ZIP-PATH";
inline constexpr std::string_view zip_limit = "E-ZIP-LIMIT";
inline constexpr std::string_view zip_encrypted = "E-ZIP-ENCRYPTED";
inline constexpr std::string_view type_mismatch = "E-TYPE-MISMATCH";
inline constexpr std::string_view xml_malformed = "E-XML-MALFORMED";
inline constexpr std::string_view xml_dtd = "E-XML-DTD";
inline constexpr std::string_view xml_schema = "E-XML-SCHEMA";
inline constexpr std::string_view sig_missing = "E-SIG-MISSING";
inline constexpr std::string_view sig_invalid = "E-SIG-INVALID";
inline constexpr std::string_view sig_uncovered = "E-SIG-UNCOVERED";
inline constexpr std::string_view sig_untrusted = "E-SIG-UNTRUSTED";
inline constexpr std::string_view sig_expired = "E-SIG-EXPIRED";
inline constexpr std::string_view sig_revoked = "E-SIG-REVOKED";
inline constexpr std::string_view sig_weak = "E-SIG-WEAK";
inline constexpr std::string_view csv_encoding = "E-CSV-ENCODING";
inline constexpr std::string_view csv_structure = "E-CSV-STRUCTURE";
inline constexpr std::string_view csv_form = "E-CSV-FORM";
inline constexpr std::string_view csv_field = "E-CSV-FIELD";
inline constexpr std::string_view csv_count = "E-CSV-COUNT";
inline constexpr std::string_view mynumber_checkdigit = "E-MYNUMBER-CHECKDIGIT";
inline constexpr std::string_view mynumber_not_allowed = "E-MYNUMBER-NOT-ALLOWED";
inline constexpr std::string_view malware = "E-MALWARE";
inline constexpr std::string_view duplicate = "E-DUPLICATE";

}  // namespace sekisho::inspect::code
