/* SPDX-License-Identifier: MIT */
/*
 * kmod.h — `view kmod`: create, destroy, resize and list viewdev buffers
 * through the control node /dev/viewctl (kmod/include/uapi/viewdev.h).
 */
#ifndef VIEW_KMOD_H
#define VIEW_KMOD_H

/*
 * view_kmod_main - run `view kmod ...`; argv[0] is "kmod".
 * Returns the process exit status: 0 done, 1 error (one line on stderr),
 * 2 usage error.
 */
int view_kmod_main(int argc, char **argv);

#endif /* VIEW_KMOD_H */
