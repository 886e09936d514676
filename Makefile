# Hornet lab: each target runs one recipe script in lab/ (see README.md).
# Everything generated goes to $(HORNET_CACHE) (default ~/.cache/hornet).
HORNET_CACHE ?= $(HOME)/.cache/hornet
SERIES_DIR ?= $(HORNET_CACHE)/series
TAP := $(HORNET_CACHE)/build/tap
export HORNET_CACHE SERIES_DIR

# Steps depend on each other through files in $(HORNET_CACHE); every script is
# idempotent and cheap when nothing changed, so the targets are phony.
.PHONY: deps base assemble series keys config kernel selftests initramfs \
	demo host-test kunit lint bisect vm-test check clean
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

# Slow (one kernel build per series commit); not part of check.
bisect: assemble keys
	lab/bisect.sh

vm-test: kernel initramfs
	lab/qemu.sh check

# Run every suite even if one fails, then judge them all in one summary line.
check: kernel initramfs keys
	@rm -rf $(TAP)
	-lab/host-test.sh
	-lab/kunit.sh
	-lab/lint.sh
	-lab/qemu.sh check
	@lab/summary.sh $$([ ! -x tests/host/run.sh ] || echo $(TAP)/host.tap) \
		$$([ ! -f $(HORNET_CACHE)/linux/security/hornet/.kunitconfig ] || echo $(TAP)/kunit.tap) \
		$(TAP)/lint.tap $(TAP)/vm-rollout.tap $(TAP)/vm.tap \
		$(TAP)/vm-lockdown.tap $(TAP)/vm-boot.tap $(TAP)/vm-kernel.tap

clean:
	rm -rf $(HORNET_CACHE)/build

# A real Debian 12 (systemd) booted permissive, enforcing and enforcing with
# the remedy drop-in; slow (see lab/system-findings.md), not part of check.
.PHONY: system-test
system-test: deps
	lab/system-test.sh
