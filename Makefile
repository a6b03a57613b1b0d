# Two commands set up a fresh machine: `make demo` and `make test`.
# System packages come from Debian and are installed only when missing.

DEBIAN_PACKAGES := coinor-libcbc-dev coinor-libclp-dev libglpk-dev pkg-config coinor-cbc
DEMO_GRAPH ?= graphs/vit_b_16.json
DEMO_CAPACITY ?= M_R
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release demo test lint docs paper clean

deps:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

demo: release
	@echo "== cosma info $(DEMO_GRAPH)"
	@.build/release/cosma info $(DEMO_GRAPH)
	@echo
	@echo "== cosma heuristic $(DEMO_GRAPH) --capacity $(DEMO_CAPACITY) --baseline paper"
	@.build/release/cosma heuristic $(DEMO_GRAPH) --capacity $(DEMO_CAPACITY) --baseline paper
	@echo
	@echo "== cosma solve $(DEMO_GRAPH) --capacity $(DEMO_CAPACITY)"
	@.build/release/cosma solve $(DEMO_GRAPH) --capacity $(DEMO_CAPACITY) -o .build/demo-plan.json
	@echo
	@echo "== cosma simulate $(DEMO_GRAPH) .build/demo-plan.json"
	@.build/release/cosma simulate $(DEMO_GRAPH) .build/demo-plan.json

# House rules first (seconds): no function over 80 lines, swift-format's rules (tools/lint.sh).
lint:
	tools/check_function_length.sh
	SWIFT=$(SWIFT) tools/lint.sh

test: deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test

# The DocC catalogue of `import Cosma` (docs/public-api.md) in .build/docs/Cosma.doccarchive: the
# symbol graph of the facade and of the types it re-exports, extracted from the debug build, and
# converted by the toolchain's docc (no package plugin needed).
DOCS_GRAPHS := .build/symbol-graphs
docs: build
	rm -rf $(DOCS_GRAPHS) .build/docs && mkdir -p $(DOCS_GRAPHS) .build/docs
	$(SWIFT) symbolgraph-extract -module-name Cosma -target $$(uname -m)-unknown-linux-gnu -I .build/debug/Modules \
		-Xcc -fmodule-map-file=.build/debug/CGlpk.build/module.modulemap \
		-Xcc -fmodule-map-file=.build/debug/CCbcSession.build/module.modulemap \
		-Xcc -fmodule-map-file=Sources/CCbc/module.modulemap $$(pkg-config --cflags-only-I cbc | sed 's/-I/-Xcc -I/g') \
		-minimum-access-level public -output-dir $(DOCS_GRAPHS) \
		-experimental-allowed-reexported-modules=DNNGraph,Scratchpad,Heuristics,MILP,CosmaILP,ONNXImport
	docc convert Sources/Cosma/Cosma.docc --additional-symbol-graph-dir $(DOCS_GRAPHS) \
		--output-path .build/docs/Cosma.doccarchive --fallback-display-name Cosma --fallback-bundle-identifier org.cosma.Cosma
	@echo "wrote .build/docs/Cosma.doccarchive"

# The reproduction of the paper's evaluation (results/paper/README.md): every graph but the tiny
# example, both settings, M_R, M_H and M_P, every method. Resumable: rerun to continue.
PAPER_GRAPHS := $(sort $(filter-out graphs/tiny.json,$(wildcard graphs/*.json)))
paper: release
	.build/release/cosma batch --graphs $(PAPER_GRAPHS) --budgets M_R,M_H,M_P --tensors activations,all \
		--methods exact,fixed-schedule,divide-and-conquer,paper-baselines --solver cbc --time-limit 30 --jobs 2 --out results/paper

clean:
	rm -rf .build
