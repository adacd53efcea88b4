/* SPDX-License-Identifier: MIT */
/*
 * seal.h — `view seal PATH [--write] [--shrink] [--grow] [--all]`: add
 * seals to a buffer, or print them (libview's vw_seal_add / vw_seals; the
 * rules are view.h's, "Seals").
 */
#ifndef VIEW_SEAL_H
#define VIEW_SEAL_H

/* The options of `view seal`, for view --help (main.c). */
extern const char view_seal_usage[];

/*
 * view_seal_main - run `view seal ...`; argv[0] is "seal".  Returns the
 * exit status: 0 done, 1 error (one line on stderr), 2 usage error.
 */
int view_seal_main(int argc, char **argv);

#endif /* VIEW_SEAL_H */
