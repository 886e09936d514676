# Hornet lab: each target runs one recipe script in lab/ (see README.md).
# Everything generated goes to $(HORNET_CACHE) (default ~/.cache/hornet).
HORNET_CACHE ?= $(HOME)/.cache/hornet
SERIES_DIR ?= $(HORNET_CACHE)/series
TAP := $(HORNET_CACHE)/build/tap
export HORNET_CACHE SERIES_DIR

# Steps depend on each other through files in $(HORNET_CACHE); every script is
# idempotent and cheap when nothing changed, so the targets are phony.
.PHONY: deps base assemble series keys config kernel selftests initramfs \
	demo host-test kunit lint bisect vm-test debug-kernel vm-test-debug stress faults \
	bench fuzz check clean
.NOTPARALLEL:

deps:
	lab/deps.sh
base: deps
	lab/base-tree.sh
assemble: base
	lab/assemble.sh
series: assemble
	lab/series.sh
keys: deps
	lab/keys.sh
config: assemble keys
	lab/config.sh
kernel: config
	lab/build-kernel.sh
selftests: assemble keys
	lab/build-selftests.sh
initramfs: selftests
	lab/initramfs.sh

demo: kernel initramfs
	lab/qemu.sh demo

host-test: keys
	lab/host-test.sh

kunit: assemble
	lab/kunit.sh

lint: assemble
	lab/lint.sh

# The libFuzzer targets of tests/fuzz, long: FUZZ_RUNS executions per target
# (default 10^7) or FUZZ_TIME seconds each; check runs them briefly (t90).
fuzz: deps
	lab/fuzz.sh

# Slow (one kernel build per series commit); not part of check.
bisect: assemble keys
	lab/bisect.sh

vm-test: kernel initramfs
	lab/qemu.sh check

# The same VM suites (and the fault-injection tests) on a second kernel
# with lab/debug.config: KASAN, kmemleak, lockdep, UBSAN, fault injection.
debug-kernel: assemble keys
	HORNET_DEBUG=1 lab/config.sh
	HORNET_DEBUG=1 lab/build-kernel.sh
vm-test-debug: debug-kernel initramfs
	HORNET_DEBUG=1 lab/qemu.sh check

# The fault-injection tests alone, on the debug kernel.
faults: debug-kernel initramfs
	HORNET_DEBUG=1 lab/qemu.sh faults

# The stress test alone, longer (HORNET_STRESS_ITER, default 5000 per
# worker); HORNET_DEBUG=1 make stress runs it on the debug kernel.
stress: initramfs
	$(if $(filter 1,$(HORNET_DEBUG)),$(MAKE) --no-print-directory debug-kernel,$(MAKE) --no-print-directory kernel)
	lab/qemu.sh stress

# What Hornet costs (not a test): two boots of the fast kernel's
# configuration plus lab/bench.config (its own build), without and with
# hornet in lsm=, and sign-ebpf against sign-file on the host; a table
# with ratios and noise, CSV and plots in $(HORNET_CACHE)/bench/.
BENCH_KBUILD := $(HORNET_CACHE)/build/kernel-bench
bench: assemble keys initramfs
	HORNET_KBUILD=$(BENCH_KBUILD) EXTRA_FRAGMENTS=$(CURDIR)/lab/bench.config lab/config.sh
	HORNET_KBUILD=$(BENCH_KBUILD) lab/build-kernel.sh
	HORNET_KBUILD=$(BENCH_KBUILD) lab/bench.sh

# Run every suite even if one fails, then judge them all in one summary line.
VM_SUITES := vm-rollout vm vm-lockdown vm-boot vm-kernel
check: kernel initramfs keys
	@rm -rf $(TAP)
	-lab/host-test.sh
	-lab/kunit.sh
	-lab/lint.sh
	-lab/qemu.sh check
	-$(MAKE) --no-print-directory vm-test-debug
	@lab/summary.sh $(TAP)/host.tap $(TAP)/kunit.tap $(TAP)/lint.tap \
		$(VM_SUITES:%=$(TAP)/%.tap) $(VM_SUITES:%=$(TAP)/%-debug.tap) $(TAP)/vm-faults-debug.tap

clean:
	rm -rf $(HORNET_CACHE)/build

# A real Debian 12 (systemd) booted permissive, enforcing and enforcing with
# the remedy drop-in; slow (see lab/system-findings.md), not part of check.
.PHONY: system-test
system-test: deps
	lab/system-test.sh
