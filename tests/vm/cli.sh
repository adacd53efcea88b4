# Sourced by guest.sh when the view CLI is in the initramfs: `view kmod`
# and `view show/set` on a viewdev node, and plain file tools (cat, cp,
# cmp, dd) on it.  Uses guest.sh's t/ok/notok.

# same NAME EXPECTED CMD...: CMD's stdout, spaces removed, equals EXPECTED.
same() {
	name=$1 want=$2
	shift 2
	if "$@" >/tmp/same.out 2>&1 && [ "$(tr -d ' \n' </tmp/same.out)" = "$want" ]; then
		ok "$name"
	else
		notok "$name"
		echo "#   expected: $want"
		sed 's/^/#   got: /' /tmp/same.out
	fi
}

# fails_with NAME TEXT CMD...: CMD exits non-zero with TEXT on stderr.
fails_with() {
	name=$1 text=$2
	shift 2
	if ! "$@" >/dev/null 2>/tmp/err.out && grep -qF -- "$text" /tmp/err.out &&
		[ "$(wc -l </tmp/err.out)" -eq 1 ]; then
		ok "$name"
	else
		notok "$name"
		sed 's/^/#   stderr: /' /tmp/err.out
	fi
}

t "cli: kmod create with format, shape, mode" \
	view kmod create clix 128 --format '<i' --shape 4,8 --mode 0644
t "cli: the node has the mode asked for" \
	sh -c '[ -c /dev/view/clix ] && [ "$(stat -c %a /dev/view/clix)" = 644 ]'
same "cli: sysfs carries the metadata" "<i4,8128" \
	cat /sys/class/view/clix/format /sys/class/view/clix/shape /sys/class/view/clix/size
t "cli: kmod list shows the buffer" sh -c 'view kmod list | grep -E "^clix +128 +<i +4,8 "'
t "cli: kmod list --json shows the buffer" sh -c \
	'view kmod list --json | tr -d " " | grep -F "{\"name\":\"clix\",\"size\":128,\"format\":\"<i\",\"shape\":\"4,8\",\"mode\":\"0644\""'
t "cli: dd writes into the node" \
	sh -c "printf '\\001\\000\\000\\000' | dd of=/dev/view/clix bs=4 seek=1 conv=notrunc"
same "cli: view show --tolist reads the typed view" \
	"[[0,1,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0]]" \
	view show /dev/view/clix --tolist
same "cli: view show --info follows the metadata" \
	'{"format":"<i","itemsize":4,"ndim":2,"shape":[4,8],"strides":[32,4],"nbytes":128,"readonly":false,"c_contiguous":true,"f_contiguous":false,"contiguous":true,"seals":[]}' \
	view show /dev/view/clix --info
t "cli: view set writes through the node" view set /dev/view/clix --slice 3,7 --value 99
same "cli: the bytes set are in the buffer" "99" od -An -tu4 -j124 -N4 /dev/view/clix
same "cli: view show --slice sees them" "[0,0,0,0,0,0,0,99]" \
	view show /dev/view/clix --slice 3 --tolist
fails_with "cli: create refuses an existing name" "'clix' already exists" \
	view kmod create clix 4K
fails_with "cli: create refuses a bad name" "name 'a/b'" view kmod create a/b 4K
fails_with "cli: create refuses a bad size" "size '12Q'" view kmod create cliy 12Q
fails_with "cli: create refuses a shape larger than the size" "'10,10'" \
	view kmod create cliy 10 --shape 10,10
fails_with "cli: create refuses a bad format" "'zz'" view kmod create cliy 10 --format zz
fails_with "cli: create names an unknown last option as unknown" \
	"unknown option '--bogus'" view kmod create cliy 4K --bogus
fails_with "cli: create names a stray argument as unknown" \
	"unknown option 'extra'" view kmod create cliy 4K extra
fails_with "cli: create refuses a signed mode" "mode '+600'" \
	view kmod create cliy 4K --mode +600
fails_with "cli: create refuses a mode with a leading space" "mode ' 600'" \
	view kmod create cliy 4K --mode ' 600'
t "cli: refused creates left no buffer" test ! -e /dev/view/cliy
fails_with "cli: list names the argument it does not take" "unknown argument 'extra'" \
	view kmod list --json extra
fails_with "cli: resize below the shape is refused" "'100'" view kmod resize clix 100
t "cli: kmod resize" sh -c 'view kmod resize clix 4K && [ "$(cat /sys/class/view/clix/size)" = 4096 ]'
same "cli: resize keeps the data" "99" od -An -tu4 -j124 -N4 /dev/view/clix
t "cli: kmod destroy" sh -c 'view kmod destroy clix && [ ! -e /dev/view/clix ]'
fails_with "cli: destroy of a missing buffer" "no buffer 'clix'" view kmod destroy clix
fails_with "cli: resize of a missing buffer" "no buffer 'clix'" view kmod resize clix 1K

# view kmod export: a dma-buf handed to a command as a descriptor
# (viewdev_test seal NAME BITS adds seals: 2 shrink, 8 write).
t "cli: export needs a shrink-sealed buffer" sh -c '
	view kmod create clid 8K && ! view kmod export clid -- true 2>/tmp/e &&
	grep -q "not sealed against shrinking" /tmp/e && viewdev_test seal clid 2'
same "cli: export passes a read-only dma-buf of the buffer as descriptor 3" \
	"/dmabuf:|8192|viewdev|0" view kmod export clid -- sh -c '
	printf "%s|" "$(readlink /proc/self/fd/3)"
	sed -n "s/^size:[[:space:]]*//p" /proc/self/fdinfo/3 | tr "\n" "|"
	sed -n "s/^exp_name:[[:space:]]*//p" /proc/self/fdinfo/3 | tr "\n" "|"
	sed -n "s/^flags:[[:space:]]*//p" /proc/self/fdinfo/3 | grep -o ".\$"'
same "cli: export --rdwr --fd 7 places a read-write dma-buf at 7" \
	"/dmabuf:|2" view kmod export clid --rdwr --fd 7 -- sh -c '
	printf "%s|" "$(readlink /proc/self/fd/7)"
	sed -n "s/^flags:[[:space:]]*//p" /proc/self/fdinfo/7 | grep -o ".\$"'
t "cli: export's exit status is the command's" sh -c '
	view kmod export clid -- sh -c "exit 5"; [ $? = 5 ]'
t "cli: export of a command that cannot run is 127" sh -c '
	view kmod export clid -- /no/such/cmd 2>/tmp/e; [ $? = 127 ] && grep -q "cannot run" /tmp/e'
fails_with "cli: export --rdwr of a write-sealed buffer" "is write-sealed" \
	sh -c 'viewdev_test seal clid 8 && view kmod export clid --rdwr -- true'
fails_with "cli: export of a missing buffer" "no buffer 'nosuch'" \
	view kmod export nosuch -- true
fails_with "cli: export needs a command" "expected NAME" view kmod export clid --rdwr
fails_with "cli: export refuses a bad descriptor" "descriptor 'x'" \
	view kmod export clid --fd x -- true
t "cli: kmod destroy of the exported buffer" view kmod destroy clid

# view seal on a node: libview's viewdev dispatch (VIEWDEV_IOC_*_SEALS).
t "cli: view seal on a fresh node prints no seals" sh -c '
	view kmod create clis 8K && [ "$(view seal /dev/view/clis)" = "" ]'
same "cli: view seal --shrink, then read back" "shrink" \
	sh -c 'view seal /dev/view/clis --shrink && view seal /dev/view/clis'
same "cli: sysfs seals agrees with view seal" "shrink" cat /sys/class/view/clis/seals
fails_with "cli: view seal --write is EBUSY while the node is open for writing" "EBUSY" \
	sh -c 'exec 4<>/dev/view/clis; view seal /dev/view/clis --write'
same "cli: the refused write seal changed nothing" "shrink" view seal /dev/view/clis
same "cli: view seal --all adds the rest" "write,shrink,grow" \
	sh -c 'view seal /dev/view/clis --all && view seal /dev/view/clis'
t "cli: a write-sealed node refuses opens for writing" sh -c '
	! (echo x >/dev/view/clis) 2>/tmp/e && grep -q "not permitted" /tmp/e'
fails_with "cli: a sealed node refuses kmod resize, naming its seals" \
	"buffer 'clis' is sealed (write,shrink,grow)" view kmod resize clis 16K
same "cli: view show --info of a sealed node lists its seals" \
	'{"format":"B","itemsize":1,"ndim":1,"shape":[8192],"strides":[1],"nbytes":8192,"readonly":true,"c_contiguous":true,"f_contiguous":true,"contiguous":true,"seals":["write","shrink","grow"]}' \
	view show /dev/view/clis --info
t "cli: a sealed node is still destroyed" view kmod destroy clis

# Plain file tools on a node: the DESIGN's cp/cmp round trip.
t "files: cat into a node, cmp, cp out" sh -c '
	view kmod create cpx 64K &&
	dd if=/dev/urandom of=/tmp/r bs=4096 count=16 2>/dev/null &&
	cat /tmp/r >/dev/view/cpx && cmp /dev/view/cpx /tmp/r &&
	cp /dev/view/cpx /tmp/copy && cmp /tmp/copy /tmp/r &&
	[ "$(wc -c </dev/view/cpx)" = 65536 ]'
same "files: view show of a raw node is a 1-D B view" \
	'{"format":"B","itemsize":1,"ndim":1,"shape":[65536],"strides":[1],"nbytes":65536,"readonly":false,"c_contiguous":true,"f_contiguous":true,"contiguous":true,"seals":[]}' \
	view show /dev/view/cpx --info
t "files: writing past the end fails, size unchanged" sh -c '
	! dd if=/tmp/r of=/dev/view/cpx bs=4096 seek=16 count=1 conv=notrunc 2>/dev/null &&
	[ "$(cat /sys/class/view/cpx/size)" = 65536 ]'
t "files: metadata written to sysfs" sh -c '
	echo "<H" >/sys/class/view/cpx/format && echo 2,3 >/sys/class/view/cpx/shape'
same "files: view show follows metadata set through sysfs" \
	'{"format":"<H","itemsize":2,"ndim":2,"shape":[2,3],"strides":[6,2],"nbytes":12,"readonly":false,"c_contiguous":true,"f_contiguous":false,"contiguous":true,"seals":[]}' \
	view show /dev/view/cpx --info
t "files: sysfs refuses a shape beyond the size" sh -c '
	! echo 65536,2 >/sys/class/view/cpx/shape 2>/dev/null &&
	[ "$(cat /sys/class/view/cpx/shape)" = 2,3 ]'
t "files: kmod destroy after use" view kmod destroy cpx
