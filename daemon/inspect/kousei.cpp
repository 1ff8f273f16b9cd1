// Placeholder until its owner lands the implementation; must not be committed as is.
#include "daemon/inspect/kousei.hpp"
