# Installs the hr tools, their man pages and their shell completions.
#
#   make install PREFIX=/usr/local      release binaries with the Swift runtime linked in, so they
#                                       run on a machine without Swift
#   make uninstall PREFIX=/usr/local
#
# DESTDIR is honoured for packaging.
PREFIX ?= /usr/local
BINDIR = $(DESTDIR)$(PREFIX)/bin
MANDIR = $(DESTDIR)$(PREFIX)/share/man
BASHDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
TOOLS = hr-create hr-update hr-transfer hr-archive hr-audit hr-export hr-metrics
# A build folder of its own, so that installing never disturbs the debug build the tests run.
SCRATCH = .build-install
BIN = $(SCRATCH)/release
SWIFT_BUILD = swift build -c release --static-swift-stdlib --scratch-path $(SCRATCH)

.PHONY: all install uninstall completions

all:
	$(SWIFT_BUILD)

completions: all
	mkdir -p $(SCRATCH)/completions
	for tool in $(TOOLS); do \
	  [ -x $(BIN)/$$tool ] || continue; \
	  $(BIN)/$$tool --generate-completion-script bash > $(SCRATCH)/completions/$$tool.bash; \
	  $(BIN)/$$tool --generate-completion-script zsh > $(SCRATCH)/completions/_$$tool; \
	  $(BIN)/$$tool --generate-completion-script fish > $(SCRATCH)/completions/$$tool.fish; \
	done

install: all completions
	install -d $(BINDIR) $(MANDIR)/man1 $(MANDIR)/man5 $(MANDIR)/man7 $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	for tool in $(TOOLS); do \
	  [ -x $(BIN)/$$tool ] || continue; \
	  install -m 0755 $(BIN)/$$tool $(BINDIR)/$$tool; \
	  install -m 0644 man/$$tool.1 $(MANDIR)/man1/$$tool.1; \
	  install -m 0644 $(SCRATCH)/completions/$$tool.bash $(BASHDIR)/$$tool; \
	  install -m 0644 $(SCRATCH)/completions/_$$tool $(ZSHDIR)/_$$tool; \
	  install -m 0644 $(SCRATCH)/completions/$$tool.fish $(FISHDIR)/$$tool.fish; \
	done
	install -m 0644 man/hr.yaml.5 $(MANDIR)/man5/hr.yaml.5
	install -m 0644 man/hr.7 $(MANDIR)/man7/hr.7

uninstall:
	for tool in $(TOOLS); do \
	  rm -f $(BINDIR)/$$tool $(MANDIR)/man1/$$tool.1 $(BASHDIR)/$$tool $(ZSHDIR)/_$$tool $(FISHDIR)/$$tool.fish; \
	done
	rm -f $(MANDIR)/man5/hr.yaml.5 $(MANDIR)/man7/hr.7
