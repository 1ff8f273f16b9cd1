#pragma once
// The valid packages: all five forms across the set, 1..4 records per form, some with a
// second form, attachments of every type, RSA-2048 and P-256 signers, some gbizid packages
// unsigned (and one in eight signed anyway).

#include "tests/sim/filings/package_sink.hpp"
#include "tests/sim/filings/signer_store.hpp"

namespace sekisho::sim::filings {

// The `index`-th valid package (index decides forms, attachments, signer and auth method).
Draft make_valid(Rng& rng, const SignerStore& signers, const Slot& slot, int index);

}  // namespace sekisho::sim::filings
