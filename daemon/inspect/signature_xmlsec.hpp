#pragma once
// The cryptographic part of spec §3 with xmlsec1 (OpenSSL backend): the 構成情報 ID made
// resolvable, file References served from the package's entries only, and the signature
// verified with exactly the key of the signer certificate chosen by the caller.

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "daemon/inspect/package.hpp"
#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

// xmlsec and its crypto backend, once per process; afterwards xmlsec can open no file and
// no URL (only the entries of the package being verified, and only during the call).
void init_xmlsec_once();

// Registers /DataRoot/構成情報 under "構成情報" and its percent-encoded form (spec §3
// implementation note). Adds E-SIG-INVALID and returns false when the element is missing,
// not unique, or either ID already names another element (a signature wrapping attempt).
bool register_kousei_id(xmlDoc* kousei, Verdict& verdict);

// Verifies every digest and the signature value with `signer_key`; E-SIG-INVALID otherwise.
// References are resolved only from `package`: same-document ones through the ID table,
// others through IO callbacks that serve the package's entries (never kousei.xml itself).
void verify_with_xmlsec(xmlNode* signature, EVP_PKEY* signer_key, const Package& package,
                        Verdict& verdict);

}  // namespace sekisho::inspect
