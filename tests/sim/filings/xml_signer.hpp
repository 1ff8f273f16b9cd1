#pragma once
// XMLDSig 1.0 signatures of kousei.xml with xmlsec (OpenSSL backend), spec §3: ds:Signature
// inside 署名情報, C14N 1.0, one Reference to #構成情報 (percent-encoded, C14N transform)
// and one Reference per other file of the folder, resolved from memory only.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/pki.hpp"

namespace sekisho::sim::filings {

// "%E6%A7%8B%E6%88%90%E6%83%85%E5%A0%B1": the URI fragment of 構成情報.
std::string percent_encode(std::string_view utf8);
inline constexpr std::string_view kKouseiId = "構成情報";

struct SignSpec {
    const Issued* signer = nullptr;
    // Certificates put into X509Data after the signer's (intermediates, or a foreign CA).
    std::vector<const Issued*> extra_certs{};
    bool reference_kousei = true;
    // File names to reference, in order; may repeat a name or leave one out on purpose.
    std::vector<std::string> references{};
    bool sha1_signature = false;  // rsa-sha1 / ecdsa-sha1 instead of *-sha256
    bool sha1_digest = false;     // DigestMethod sha1 instead of sha256
};

// Returns `kousei_xml` with a ds:Signature in 署名情報. `files` serves the file References
// (name -> raw bytes); nothing is ever read from disk or network. Not thread-safe: xmlsec's
// IO callbacks are global, and the generator signs one package at a time.
std::string sign_kousei(std::string_view kousei_xml,
                        const std::map<std::string, std::string>& files, const SignSpec& spec);

}  // namespace sekisho::sim::filings
