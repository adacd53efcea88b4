# Man pages: view(1), libview(3), viewdev(4), viewfs(8) (and
# mount.fuse.viewfs(8), a .so link to it), written in roff here.  The
# sources carry @VERSION@ and @docdir@; `make install` fills them in.
# tests/install lints the installed pages (groff -ww, man --warnings) and
# checks that every option of `view --help` / `viewfs --help` is in them.
MAN_PAGES := view.1 libview.3 viewdev.4 viewfs.8
MAN_SED := -e 's|@VERSION@|$(VERSION)|g' -e 's|@docdir@|$(docdir)|g'
MAN_INST := $(foreach p,$(MAN_PAGES),$(DESTDIR)$(mandir)/man$(subst .,,$(suffix $(p)))/$(p)) \
	$(DESTDIR)$(mandir)/man8/mount.fuse.viewfs.8
INSTALL_TARGETS += install-man
UNINSTALL_TARGETS += uninstall-man
.PHONY: install-man uninstall-man
install-man: $(addprefix docs/man/,$(addsuffix .in,$(MAN_PAGES))) VERSION
	$(INSTALL) -d $(sort $(dir $(MAN_INST)))
	$(foreach p,$(MAN_PAGES),sed $(MAN_SED) docs/man/$(p).in >$(DESTDIR)$(mandir)/man$(subst .,,$(suffix $(p)))/$(p) &&) :
	echo '.so man8/viewfs.8' >$(DESTDIR)$(mandir)/man8/mount.fuse.viewfs.8
	chmod 0644 $(MAN_INST)

uninstall-man:
	rm -f $(MAN_INST)
