#pragma once
// The XMLDSig profile of spec §3, verified with xmlsec1 (OpenSSL backend): references
// resolved from the package's own entries only, coverage and algorithm rules, and the
// signer's chain to the configured trust anchors with CRLs, validity and key usage.

#include <libxml/tree.h>

#include "daemon/inspect/options.hpp"
#include "daemon/inspect/package.hpp"
#include "daemon/inspect/verdict.hpp"

namespace sekisho::inspect {

// Call once per process before any other xmlsec use (the worker does it before its
// sandbox is applied). Throws when xmlsec cannot be initialised.
void init_signature_library();

// kousei: parsed kousei.xml; IDs may be registered on it. Adds E-SIG-* reasons; a
// `gbizid` package without a signature passes, a `certificate` one gets E-SIG-MISSING.
void check_signature(xmlDoc* kousei, const Package& package, const Options& options,
                     Verdict& verdict);

}  // namespace sekisho::inspect
