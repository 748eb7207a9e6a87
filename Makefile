# Installs the hr tools, their man pages and their shell completions.
#
#   make install PREFIX=/usr/local      release binaries with the Swift runtime linked in, so they
#                                       run on a machine without Swift
#   make uninstall PREFIX=/usr/local
#
#   make install-group PREFIX=/usr/local GROUP=hr STORE=/var/lib/hr/hr.sqlite CONFIG=/etc/hr/hr.yaml
#                                       as root: a group installation (hr(7) INSTALLATIONS). The tools
#                                       run set-group-ID GROUP, a group no person belongs to, which
#                                       alone may reach the store's directory; STORE and CONFIG are
#                                       fixed in PREFIX/etc/hr/installation, so staff act only
#                                       through the tools, as the operators whose users: name them.
#   make group-setup …                  the same on tools already in PREFIX/bin
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

GROUP ?= hr
STORE ?= /var/lib/hr/hr.sqlite
CONFIG ?= /etc/hr/hr.yaml
ETCDIR = $(DESTDIR)$(PREFIX)/etc/hr

.PHONY: all install uninstall completions install-group group-setup

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
	rm -f $(ETCDIR)/installation

install-group: install
	$(MAKE) --no-print-directory group-setup

# chown before chmod: changing an executable's group clears its set-group-ID bit.
group-setup:
	getent group $(GROUP) > /dev/null || groupadd --system $(GROUP)
	for tool in $(TOOLS); do \
	  [ -x $(BINDIR)/$$tool ] || continue; \
	  chown root:$(GROUP) $(BINDIR)/$$tool; \
	  chmod 2755 $(BINDIR)/$$tool; \
	done
	install -d -o root -g root -m 0755 $(ETCDIR)
	printf '# The store and configuration of this group installation: hr(7) INSTALLATIONS.\nstore: %s\nconfig: %s\n' \
	  '$(STORE)' '$(CONFIG)' > $(ETCDIR)/installation
	chown root:root $(ETCDIR)/installation
	chmod 0644 $(ETCDIR)/installation
	install -d -o root -g $(GROUP) -m 2770 $(DESTDIR)$(dir $(STORE))
	install -d -m 0755 $(DESTDIR)$(dir $(CONFIG))
	[ -e $(DESTDIR)$(CONFIG) ] || install -o root -g $(GROUP) -m 0640 /dev/null $(DESTDIR)$(CONFIG)
	chown root:$(GROUP) $(DESTDIR)$(CONFIG)
	chmod 0640 $(DESTDIR)$(CONFIG)
