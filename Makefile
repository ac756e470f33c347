# sovereign guest agent. `make test` and `make run` install what they need (npm + apt-get).
SHELL := /bin/bash
BUN   := node_modules/.bin/bun
ARCH  ?= x86_64
# Debian packages the tests use: namespaces/netlink oracles, nftables, PostgreSQL, QEMU, kernel build.
APT_TEST := iproute2 iputils-ping nftables util-linux procps postgresql-15 e2fsprogs linux-config-6.1 xz-utils curl
APT_KERNEL := linux-source-6.1 build-essential flex bison bc libelf-dev libssl-dev cpio xz-utils
APT_VM := qemu-system-x86 qemu-system-arm mmdebstrap socat gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
          qemu-user-static binfmt-support arch-test

.PHONY: deps deps-kernel deps-vm binfmt-arm64 build test check unit bench clean kernel run stop vm-artifacts

deps: node_modules/.installed
	@bash scripts/apt-ensure.sh $(APT_TEST)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps-kernel: deps
	@bash scripts/apt-ensure.sh $(APT_KERNEL)

deps-vm: deps-kernel
	@bash scripts/apt-ensure.sh $(APT_VM)

# arm64 role images run arm64 maintainer scripts at build time (qemu-user-static via binfmt_misc).
binfmt-arm64: deps-vm
	@bash scripts/binfmt-arm64.sh

build: deps
	$(BUN) build.ts --target all

check: deps
	node_modules/.bin/tsc -p .

unit: deps
	$(BUN) test --timeout 30000 tests/unit

# Kernels are cached under /var/cache/sovereign by a hash of source + fragment (cold: ~7 min each);
# Debian trees by package list (cold: x64 ~1 min, arm64 ~5 min under qemu-user).
vm-artifacts: deps-vm build
	$(BUN) kernel/build.ts --arch x86_64
	$(BUN) kernel/build.ts --arch arm64
	$(BUN) rootfs/initramfs.ts --arch arm64
	$(BUN) rootfs/build.ts --role sql
	$(BUN) rootfs/build.ts --role forgejo
	@# arm64 role images need binfmt (qemu-user-static); a host that cannot have it still tests x86-64
	@if bash scripts/binfmt-arm64.sh; then \
	  $(BUN) rootfs/build.ts --role sql --arch arm64 && $(BUN) rootfs/build.ts --role forgejo --arch arm64; \
	else echo "vm-artifacts: SKIPPING the arm64 role images: this host cannot run arm64 programs (see above)"; fi

run: vm-artifacts
	$(BUN) scripts/vm-run.ts --arch $(ARCH)

stop:
	$(BUN) scripts/vm-stop.ts

test: check vm-artifacts
	bash tests/run.sh

bench: build vm-artifacts
	$(BUN) bench/run.ts

kernel: deps-kernel
	$(BUN) kernel/build.ts --arch $(ARCH)

clean:
	rm -rf out /var/tmp/sovereign-tests
