# Sourced by guest.sh when tests/common/filesem (the file-semantics checks
# tests/fs runs on viewfs) is in the initramfs: the same checks on a
# viewdev node, whose size is fixed (--no-truncate) and where O_APPEND
# writes fail with ENOSPC at the end (--no-append).  Uses guest.sh's
# ok/notok; filesem's lines become TAP lines prefixed "filesem:".
if viewdev_test mk fsem 1048576; then
	filesem --no-truncate --no-append /dev/view/fsem >/tmp/fsem.out 2>&1
	rc=$?
	sed -e 's/^ok \(.*\)/ok - filesem: \1/' \
		-e 's/^not ok \(.*\)/not ok - filesem: \1/' \
		-e 's/^\([0-9]* passed, [0-9]* failed\)$/# filesem: \1/' /tmp/fsem.out
	fails=$((fails + $(grep -c '^not ok ' /tmp/fsem.out)))
	if ! grep -qE '^[0-9]+ passed, 0 failed$' /tmp/fsem.out && [ "$rc" -ne 0 ] &&
		! grep -q '^not ok ' /tmp/fsem.out; then
		notok "filesem exited $rc without a result"
	fi
	viewdev_test rm fsem || notok "filesem: destroy its buffer"
else
	notok "filesem: create its buffer"
fi
