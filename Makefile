# Sekisho — the two commands of the quick start are `make demo` and `make test`.
# Both install missing Debian packages first (scripts/install-deps.sh, needs root).

BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
FUZZ_DIR  ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS      ?= $(shell nproc)
CMAKE_GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
# ccache hits across checkouts in different directories (CI builds fresh clones).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true

SOURCES    = $(shell git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' '*.h' '*.hpp.in' 2>/dev/null)

.PHONY: all deps build build-asan build-fuzz fuzz test test-unit format format-check demo bench soak install package clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(ASAN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSEKISHO_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j $(JOBS)

# Every test through ctest, then the same suite under ASan+UBSan, then each fuzz target
# for 30 s (ASan+UBSan, clang), then formatting.
test: build build-asan
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN_DIR) && SEKISHO_ONEWAY_SCALE=small ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/support/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30
	@$(MAKE) --no-print-directory format-check

# libFuzzer targets (tests/fuzz) in their own clang build, each run for FUZZ_SECONDS.
build-fuzz: deps
	CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSEKISHO_FUZZ=ON
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets

fuzz: build-fuzz
	cd $(FUZZ_DIR) && SEKISHO_FUZZ_SECONDS=$(FUZZ_SECONDS) \
	  ctest --output-on-failure -L fuzz --timeout $$(( $(FUZZ_SECONDS) + 300 ))

test-unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

format:
	@test -n "$(SOURCES)" || { echo "format: no sources found (not a git checkout?)"; exit 1; }
	clang-format -i $(SOURCES)

format-check:
	@test -n "$(SOURCES)" || { echo "format-check: no sources found (not a git checkout?)"; exit 1; }
	@clang-format --dry-run -Werror $(SOURCES) && echo "format-check: $(words $(SOURCES)) files formatted"

demo: build
	scripts/demo.sh $(BUILD_DIR)/bin

# Figures, not pass/fail: see each benchmark's first lines for what it measures.
bench: build
	$(BUILD_DIR)/bin/bench_queue
	$(BUILD_DIR)/bin/bench_mynaportal
	$(BUILD_DIR)/bin/bench_inspect
	$(BUILD_DIR)/bin/bench_oneway

# The long version of the crash test: 2,000 SIGKILLs (SOAK_ROUNDS to change).
SOAK_ROUNDS ?= 2000
soak: build
	SEKISHO_CRASH_ROUNDS=$(SOAK_ROUNDS) $(BUILD_DIR)/bin/integration_queue "[crash]"

install: build
	cmake --install $(BUILD_DIR)

# The Debian package, sekisho_<version>_<arch>.deb in $(BUILD_DIR) (cmake/Packaging.cmake).
package: build
	cd $(BUILD_DIR) && cpack -G DEB

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
