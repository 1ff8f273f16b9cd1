#pragma once
// The XMLDSig profile of spec §3, checked on the parsed ds:Signature before anything is
// verified: algorithms (E-SIG-WEAK) and what the References cover (E-SIG-UNCOVERED).

#include <libxml/tree.h>

#include <string>
#include <vector>

#include "daemon/inspect/package.hpp"
#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

inline constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
// Position prefix of every signature reason.
inline constexpr const char* kSignaturePath = "kousei.xml /DataRoot/署名情報/ds:Signature";

// The ds:Signature elements directly inside /DataRoot/署名情報.
std::vector<xmlNode*> find_signatures(xmlDoc* kousei);

// Adds E-SIG-WEAK and E-SIG-UNCOVERED reasons. Returns true when every algorithm named in
// SignedInfo is one the profile allows, so that verifying cannot run a weak or unknown one.
bool check_profile(xmlNode* signature, const Package& package, Verdict& verdict);

// The DER bytes of every KeyInfo/X509Data/X509Certificate, in document order; at most
// kMaxCertificates (E-SIG-UNTRUSTED beyond, or when one is not base64).
inline constexpr std::size_t kMaxCertificates = 8;
std::vector<std::string> key_info_certificates(xmlNode* signature, Verdict& verdict);

}  // namespace sekisho::inspect
