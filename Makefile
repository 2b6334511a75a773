# Ridgeline — the two quick-start commands are `make run` and `make test`.
SWIFT ?= swift
BUILD_FLAGS ?=
DEBIAN_PACKAGES := libpapi-dev libhwloc-dev libdnnl-dev libopenblas-dev pkg-config chromium
BIN = .build/release/ridgeline
# make install [PREFIX=~/.local]: the binary goes to $(PREFIX)/bin, the data it reads at run time to
# $(PREFIX)/share/ridgeline, where the binary looks first (Sources/Ridgeline/DataRoot.swift).
PREFIX ?= /usr/local
override PREFIX := $(patsubst ~%,$(HOME)%,$(PREFIX))
DATADIR = $(DESTDIR)$(PREFIX)/share/ridgeline
DATA = profiles reference examples
RUNTIME_SCRIPTS = scripts/torch_engine.py

.PHONY: setup build release run test bench reports install install-files uninstall clean

# Installs the Debian packages Ridgeline links against (and Chromium for the report checks),
# only when one is missing; needs root or sudo.
setup:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "make setup: installing$$missing"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: setup
	$(SWIFT) build $(BUILD_FLAGS)

release: setup
	$(SWIFT) build -c release $(BUILD_FLAGS) --product ridgeline

# The main job, as far as it exists.
run: release
	./scripts/main-job.sh $(BIN)

# The suites that time this machine's caches, cores and counters run after the others, one test at
# a time: beside the parallel suites (the CLI tests run whole probes that stream DRAM on the other
# core) the shared L3 reads as DRAM (CI read its chase at 104 ns five rounds running, 16.6 ns alone).
QUIET_SUITES = \.(CacheLatencyTests|ArrayPlacementTests|CoreHandOffTests|CounterTests)/

test: setup
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	$(SWIFT) test --skip-build $(BUILD_FLAGS) --skip '$(QUIET_SUITES)'
	$(SWIFT) test --skip-build $(BUILD_FLAGS) --no-parallel --filter '$(QUIET_SUITES)'

bench: setup
	$(SWIFT) build -c release $(BUILD_FLAGS)
	./.build/release/ridgeline-bench

# Regenerates the example reports committed under reports/.
reports: release
	./scripts/example-reports.sh $(BIN)

install: release
	$(MAKE) --no-print-directory install-files

# Copies $(BIN) and the data without building (make install builds first; the CLI tests install
# their debug binary with it, so the layout they check is this one).
install-files:
	install -d $(DESTDIR)$(PREFIX)/bin $(DATADIR)/scripts
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ridgeline
	rm -rf $(addprefix $(DATADIR)/,$(DATA))
	cp -R $(DATA) $(DATADIR)/
	install -m 644 $(RUNTIME_SCRIPTS) $(DATADIR)/scripts/
	@echo "installed $(DESTDIR)$(PREFIX)/bin/ridgeline and its data in $(DATADIR)"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ridgeline
	rm -rf $(DATADIR)

clean:
	rm -rf .build
