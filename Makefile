# Two commands set up a fresh machine: `make demo` and `make test`.
# System packages come from Debian and are installed only when missing.

DEBIAN_PACKAGES := coinor-libcbc-dev coinor-libclp-dev libglpk-dev pkg-config coinor-cbc
DEMO_GRAPH ?= graphs/vit_b_16.json
DEMO_CAPACITY ?= M_R
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release demo test lint docs docs-catalogue paper clean install test-embedding test-slurm sweeps fuzz fuzz-corpus sanitize

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

# House rules first (seconds): no function over 80 lines, nothing public beyond what `import Cosma`
# re-exports (tools/check_public_surface.sh), swift-format's rules (tools/lint.sh).
lint:
	tools/check_function_length.sh
	tools/check_public_surface.sh
	SWIFT=$(SWIFT) tools/lint.sh

test: deps lint
	$(SWIFT) build --build-tests
	$(MAKE) --no-print-directory docs-catalogue
	$(SWIFT) test
	$(MAKE) --no-print-directory test-embedding

# The DocC catalogue of `import Cosma` (docs/public-api.md) in .build/docs/Cosma.doccarchive: the
# symbol graph of the facade and of the types it re-exports, extracted from the debug build, and
# converted by the toolchain's docc (no package plugin needed). A warning (a link to a type the
# facade does not export, a stale signature) fails it; `make test` builds it (about 15 s, offline).
DOCS_GRAPHS := .build/symbol-graphs
docs: build
	$(MAKE) --no-print-directory docs-catalogue

# The catalogue from the debug build already there: `make test` calls it after `swift build
# --build-tests`, whose modules serve as well (a plain `swift build` would rebuild them all).
docs-catalogue:
	rm -rf $(DOCS_GRAPHS) .build/docs && mkdir -p $(DOCS_GRAPHS) .build/docs
	$(SWIFT) symbolgraph-extract -module-name Cosma -target $$(uname -m)-unknown-linux-gnu -I .build/debug/Modules \
		$(foreach m,CGlpk CCbcSession CSolverProcess,-Xcc -fmodule-map-file=.build/debug/$(m).build/module.modulemap) \
		-Xcc -fmodule-map-file=Sources/CCbc/module.modulemap $$(pkg-config --cflags-only-I cbc | sed 's/-I/-Xcc -I/g') \
		-minimum-access-level public -output-dir $(DOCS_GRAPHS) \
		-experimental-allowed-reexported-modules=DNNGraph,Scratchpad,Heuristics,MILP,CosmaILP,ONNXImport
	docc convert Sources/Cosma/Cosma.docc --additional-symbol-graph-dir $(DOCS_GRAPHS) --warnings-as-errors \
		--output-path .build/docs/Cosma.doccarchive --fallback-display-name Cosma --fallback-bundle-identifier org.cosma.Cosma
	@echo "wrote .build/docs/Cosma.doccarchive"

# The reproduction of the paper's evaluation (results/paper/README.md): every graph but the tiny
# example, both settings, M_R, M_H and M_P, every method. Resumable: rerun to continue.
PAPER_GRAPHS := $(sort $(filter-out graphs/tiny.json,$(wildcard graphs/*.json)))
paper: release
	.build/release/cosma batch --graphs $(PAPER_GRAPHS) --budgets M_R,M_H,M_P --tensors activations,all \
		--methods exact,fixed-schedule,divide-and-conquer,paper-baselines,production --solver cbc --time-limit 30 --jobs 2 --out results/paper

# ---- Embedding: libcosma, cosma.h, cosma.pc, the cosma tool and the Python module ----------------
# `make install PREFIX=P` installs P/lib/libcosma.so, P/include/cosma.h, P/lib/pkgconfig/cosma.pc,
# P/bin/cosma, P/lib/python/cosma and P/libexec/cosma/cosma-solver (the solver child, which
# the tool and the library find from their own location: ../libexec/cosma/). CONFIG=debug installs the debug build instead of the release
# one: `make test` does, so that it reuses the build its Swift tests made.
PREFIX ?= /usr/local
CONFIG ?= release
COSMA_VERSION := $(shell sed -n 's/^public let cosmaVersion = "\(.*\)"/\1/p' Sources/Cosma/Version.swift)

install: deps
	$(SWIFT) build -c $(CONFIG) --product cosma
	$(SWIFT) build -c $(CONFIG) --product CosmaC
	$(SWIFT) build -c $(CONFIG) --product cosma-solver
	install -d $(PREFIX)/bin $(PREFIX)/include $(PREFIX)/lib/pkgconfig $(PREFIX)/lib/python/cosma $(PREFIX)/libexec/cosma
	install -m 755 .build/$(CONFIG)/cosma $(PREFIX)/bin/cosma
	install -m 755 .build/$(CONFIG)/cosma-solver $(PREFIX)/libexec/cosma/cosma-solver
	install -m 755 .build/$(CONFIG)/libCosmaC.so $(PREFIX)/lib/libcosma.so
	install -m 644 Sources/CosmaC/include/cosma.h $(PREFIX)/include/cosma.h
	install -m 644 python/cosma/*.py $(PREFIX)/lib/python/cosma/
	sed -e 's|@PREFIX@|$(abspath $(PREFIX))|' -e 's|@VERSION@|$(COSMA_VERSION)|' tools/cosma.pc.in > $(PREFIX)/lib/pkgconfig/cosma.pc

# The C, C++ and Python examples and the Python module's tests, against an install into a
# temporary prefix (examples/run.sh says what each checks).
test-embedding: deps
	@prefix=$$(mktemp -d) && trap 'rm -rf "$$prefix"' EXIT && \
	$(MAKE) --no-print-directory install PREFIX="$$prefix" CONFIG=debug >/dev/null && \
	examples/run.sh "$$prefix"
# ---- end of embedding ---------------------------------------------------------------------------

# --- Sweeps and Slurm (issue 20) -------------------------------------------------------------
# The Slurm tests (Tests/CosmaCLITests/SlurmTests.swift) on a one-node cluster that
# tools/slurm/one-node-cluster.sh installs (slurm-wlm, slurm-client, munge), starts and stops.
test-slurm: deps
	$(SWIFT) build --build-tests
	@conf="$$(tools/slurm/one-node-cluster.sh start)" || { tools/slurm/one-node-cluster.sh stop; exit 1; }; \
	eval "$$conf"; status=0; $(SWIFT) test --filter SlurmTests || status=$$?; \
	tools/slurm/one-node-cluster.sh stop; exit $$status

# Traffic against capacity (results/sweeps/README.md): the ten human-designed paper models and
# the four NAS models, 16 capacities from M_R to M_P, both settings. Resumable: rerun to continue.
SWEEP_GRAPHS := $(addprefix graphs/,resnet50.json densenet121.json resnext50_32x4d.json r2plus1d_18.json s3d.json \
	fcn_resnet50.json lraspp_mobilenet_v3_large.json deeplabv3_resnet50.json transformer.json vit_b_16.json \
	nasnet_a_mobile.json amoebanet.json pnasnet5_large.json darts_v2.json)
SWEEP_TIME_LIMIT ?= 10
sweeps: release
	.build/release/cosma sweep $(SWEEP_GRAPHS) --from M_R --to M_P --points 16 --tensors activations,all \
		--methods exact --time-limit $(SWEEP_TIME_LIMIT) --jobs 2 --out results/sweeps
# --- end of issue 20 block ---------------------------------------------------------------------

# --- Reliability (issue 21) --------------------------------------------------------------------
# `make fuzz`: libFuzzer (Swift's -sanitize=fuzzer, with AddressSanitizer) on the graph reader and
# validator, the plan reader and simulator, and the ONNX importer, FUZZ_SECONDS each, starting from
# the committed corpus fuzz/corpus/<target>/ (replayed by `make test`, Tests/FuzzCorpusTests).
# New inputs go to .build/fuzz/corpus, crashes to .build/fuzz/crashes; `make fuzz-corpus` merges
# the inputs that add coverage into the committed corpus (libFuzzer's -set_cover_merge=1).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := graph plan onnx
FUZZ_BUILD := .build/fuzz
fuzz: deps
	$(SWIFT) build --build-path $(FUZZ_BUILD) --product cosma-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DCOSMA_FUZZER
	@mkdir -p $(FUZZ_BUILD)/crashes && for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t; echo "== fuzzing $$t for $(FUZZ_SECONDS) s"; \
		SWIFT_BACKTRACE=enable=no COSMA_FUZZ_TARGET=$$t $(FUZZ_BUILD)/debug/cosma-fuzz $(FUZZ_BUILD)/corpus/$$t fuzz/corpus/$$t \
			-max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- || exit 1; \
	done

fuzz-corpus:
	@for t in $(FUZZ_TARGETS); do \
		COSMA_FUZZ_TARGET=$$t $(FUZZ_BUILD)/debug/cosma-fuzz -set_cover_merge=1 fuzz/corpus/$$t $(FUZZ_BUILD)/corpus/$$t || exit 1; \
	done

# `make sanitize`: the C and C++ shims and example hosts under ASan and UBSan (tools/sanitize.sh).
sanitize: deps
	SWIFT=$(SWIFT) tools/sanitize.sh
# --- end of issue 21 block ---------------------------------------------------------------------

clean:
	rm -rf .build
