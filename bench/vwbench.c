/*
 * vwbench - libview micro-benchmarks, the C side of the libview rows.
 *
 *   vwbench [--quick] [derive|copy|tolist]
 *
 * (one part only when named; the harness runs all three)
 * Prints one JSON object per line:
 *   {"part":"libview","test":T,"subject":S,"unit":U,"better":B,"value":V}
 * subject "libview" for vw_* calls and "memcpy" for the copy reference.
 * bench/pyviews.py measures the same tests (same names, same shapes) with
 * Python's memoryview and NumPy, each in its own process with its own
 * timer; bench/report.py pairs them up.  Keep the two files in step.
 *
 * Method, as timeit's: a loop is calibrated until one repeat takes at least
 * the target time, then the best (minimum) of several repeats is kept.  A
 * derived view is released inside the loop, as Python frees the object it
 * made, so both sides pay for create + destroy.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "view.h"

static double target_s = 0.1;	/* one repeat */
static int repeats = 5;
#define ELEMENT_REPEATS_FACTOR 3	/* the element read row (pyviews.py) */
static volatile long sink;	/* keeps results observable */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void emit(const char *test, const char *subject, const char *unit,
		 const char *better, double value)
{
	printf("{\"part\":\"libview\",\"test\":\"%s\",\"subject\":\"%s\","
	       "\"unit\":\"%s\",\"better\":\"%s\",\"value\":%.6g}\n",
	       test, subject, unit, better, value);
	fflush(stdout);
}

static void die(const char *what, int rc, const struct vw_error *err)
{
	fprintf(stderr, "vwbench: %s: %s (%d)\n", what,
		err && err->msg[0] ? err->msg : strerror(-rc), rc);
	exit(1);
}

/* One benchmarked operation: run it n times. */
typedef void (*loop_fn)(long n, void *arg);

/*
 * Best seconds per call of fn, over `repeats` calibrated repeats.  A call
 * that alone takes longer than the target (tolist) is not run in a loop:
 * the calibration run counts as the first sample and the repeats are cut
 * so that one test stays within about two seconds.
 */
static double best_per_call(loop_fn fn, void *arg)
{
	long n = 1;
	double t, best = 1e30;
	int reps = repeats;

	for (;;) {		/* calibrate: grow n until one repeat is long enough */
		t = now();
		fn(n, arg);
		t = now() - t;
		if (t >= target_s / 4 || n > (1L << 40))
			break;
		n *= (t > 0 && target_s / t < 10) ? 2 : 10;
	}
	if (n == 1 && t >= target_s) {
		best = t;
		reps = (int)(2.0 / t);	/* 0 when one call takes 2 s */
		if (reps > repeats - 1)
			reps = repeats - 1;
	}
	n = (long)(n * (target_s / (t > 0 ? t : 1e-9)));
	if (n < 1)
		n = 1;
	for (int r = 0; r < reps; r++) {
		t = now();
		fn(n, arg);
		t = now() - t;
		if (t < best)
			best = t;
	}
	return best / n;
}

/* ---- view derivations: ns per call --------------------------------- */

struct derive_arg {
	struct vw_view *src;
	struct vw_index idx[4];
	int nidx;
	ssize_t shape[2];
	ssize_t at;
};

static void loop_slice(long n, void *p)
{
	struct derive_arg *a = p;
	struct vw_view d;
	long acc = 0;

	for (long i = 0; i < n; i++) {
		int rc = vw_slice(&d, a->src, a->idx, a->nidx, NULL);

		if (rc < 0)
			die("vw_slice", rc, NULL);
		acc += d.shape[0];
		vw_release(&d);
	}
	sink += acc;
}

static void loop_get(long n, void *p)
{
	struct derive_arg *a = p;
	struct vw_value val;
	long acc = 0;

	for (long i = 0; i < n; i++) {
		int rc = vw_get(a->src, &a->at, &val, NULL);

		if (rc < 0)
			die("vw_get", rc, NULL);
		acc += (long)val.d;
	}
	sink += acc;
}

static void loop_cast_1d(long n, void *p)
{
	struct derive_arg *a = p;
	struct vw_view d;
	long acc = 0;

	for (long i = 0; i < n; i++) {
		int rc = vw_cast(&d, a->src, "d", 1, NULL, NULL);

		if (rc < 0)
			die("vw_cast d", rc, NULL);
		acc += d.shape[0];
		vw_release(&d);
	}
	sink += acc;
}

static void loop_cast_2d(long n, void *p)
{
	struct derive_arg *a = p;
	struct vw_view d;
	long acc = 0;

	for (long i = 0; i < n; i++) {
		int rc = vw_cast(&d, a->src, "d", 2, a->shape, NULL);

		if (rc < 0)
			die("vw_cast d,[r,c]", rc, NULL);
		acc += d.shape[1];
		vw_release(&d);
	}
	sink += acc;
}

static void loop_transpose(long n, void *p)
{
	struct derive_arg *a = p;
	struct vw_view d;
	long acc = 0;

	for (long i = 0; i < n; i++) {
		int rc = vw_transpose(&d, a->src, NULL, a->src->ndim, NULL);

		if (rc < 0)
			die("vw_transpose", rc, NULL);
		acc += d.shape[0];
		vw_release(&d);
	}
	sink += acc;
}

static struct vw_index slice_item(ssize_t start, ssize_t stop, ssize_t step)
{
	struct vw_index s = { .is_slice = 1, .has_start = 1, .has_stop = 1,
			      .has_step = 1, .start = start, .stop = stop,
			      .step = step };
	return s;
}

static struct vw_index int_item(ssize_t i)
{
	struct vw_index s = { .is_slice = 0, .has_start = 1, .start = i };
	return s;
}

/*
 * Shapes shared with pyviews.py: a 1 MiB byte buffer; as 'd' it is
 * 131072 doubles, or [128, 1024] in 2-D.
 */
#define DBUF (1 << 20)
#define ROWS 128
#define COLS 1024

/*
 * The derivation rows for one kind of source views: subject "libview"
 * derives from owning views (each result takes and drops a reference on
 * the mapping: two atomic operations), "libview-borrowed" from borrowed
 * ones (vw_borrow: the results hold no reference).  The element read does
 * not depend on the kind and is measured once, for "libview".
 */
static void bench_derive_rows(const char *subject, struct vw_view *bytes,
			      struct vw_view *dbl1, struct vw_view *dbl2)
{
	struct derive_arg a = { 0 };

	/* m[16:1000:3] on the 1-D byte view */
	a.src = bytes;
	a.idx[0] = slice_item(16, 1000, 3);
	a.nidx = 1;
	emit("slice 1-D [16:1000:3]", subject, "ns", "lower",
	     1e9 * best_per_call(loop_slice, &a));

	/* a[8:100:2, ::-3] on the 2-D double view */
	a.src = dbl2;
	a.idx[0] = slice_item(8, 100, 2);
	a.idx[1] = (struct vw_index){ .is_slice = 1, .has_step = 1,
				      .step = -3 };
	a.nidx = 2;
	emit("slice 2-D [8:100:2,::-3]", subject, "ns", "lower",
	     1e9 * best_per_call(loop_slice, &a));

	/* m[1000] on the 1-D double view: read one element.  At 3-5 ns a
	 * call one repeat's noise is of the same order, so this row keeps
	 * the best of ELEMENT_REPEATS_FACTOR times as many repeats
	 * (pyviews.py does the same) */
	if (!strcmp(subject, "libview")) {
		int saved = repeats;

		repeats *= ELEMENT_REPEATS_FACTOR;
		a.src = dbl1;
		a.at = 1000;
		emit("index element [1000]", subject, "ns", "lower",
		     1e9 * best_per_call(loop_get, &a));
		repeats = saved;
	}

	/* a[5] on the 2-D view: a 1-D sub-view */
	a.src = dbl2;
	a.idx[0] = int_item(5);
	a.nidx = 1;
	emit("index sub-view 2-D [5]", subject, "ns", "lower",
	     1e9 * best_per_call(loop_slice, &a));

	a.src = bytes;
	emit("cast B->d", subject, "ns", "lower",
	     1e9 * best_per_call(loop_cast_1d, &a));
	a.shape[0] = ROWS;
	a.shape[1] = COLS;
	emit("cast B->d [128,1024]", subject, "ns", "lower",
	     1e9 * best_per_call(loop_cast_2d, &a));

	a.src = dbl2;
	emit("transpose 2-D", subject, "ns", "lower",
	     1e9 * best_per_call(loop_transpose, &a));
}

static void bench_derive(void)
{
	static double store[DBUF / sizeof(double)];
	struct vw_view bytes, dbl1, dbl2, bb, bd1, bd2;
	struct vw_error err;
	ssize_t shape2[2] = { ROWS, COLS };
	int rc;

	for (size_t i = 0; i < DBUF / sizeof(double); i++)
		store[i] = (double)i;
	rc = vw_from_memory(&bytes, store, DBUF, VW_RDWR, NULL, NULL, &err);
	if (rc < 0)
		die("vw_from_memory", rc, &err);
	rc = vw_cast(&dbl1, &bytes, "d", 1, NULL, &err);
	if (rc < 0)
		die("vw_cast d", rc, &err);
	rc = vw_cast(&dbl2, &bytes, "d", 2, shape2, &err);
	if (rc < 0)
		die("vw_cast d 2-D", rc, &err);
	bench_derive_rows("libview", &bytes, &dbl1, &dbl2);

	if (vw_borrow(&bb, &bytes, &err) < 0 || vw_borrow(&bd1, &dbl1, &err) < 0 ||
	    vw_borrow(&bd2, &dbl2, &err) < 0)
		die("vw_borrow", -EINVAL, &err);
	bench_derive_rows("libview-borrowed", &bb, &bd1, &bd2);
	vw_release(&bd2);
	vw_release(&bd1);
	vw_release(&bb);

	vw_release(&dbl2);
	vw_release(&dbl1);
	vw_release(&bytes);
}

/* ---- strided copy: GB/s ---------------------------------------------- */

struct copy_arg {
	struct vw_view *v;
	char *src;
	char *out;
	size_t nbytes;	/* bytes written per call */
	size_t run;	/* loop_runs: bytes per run */
};

static void loop_tobytes(long n, void *p)
{
	struct copy_arg *a = p;

	for (long i = 0; i < n; i++) {
		int rc = vw_tobytes(a->v, 'C', a->out, a->nbytes, NULL);

		if (rc < 0)
			die("vw_tobytes", rc, NULL);
	}
	sink += a->out[a->nbytes - 1];
}

static void loop_memcpy(long n, void *p)
{
	struct copy_arg *a = p;

	for (long i = 0; i < n; i++) {
		memcpy(a->out, a->src, a->nbytes);
		/* the compiler must not drop or merge the copies */
		__asm__ __volatile__("" : : "r"(a->out) : "memory");
	}
	sink += a->out[a->nbytes - 1];
}

/* The simplest C loop over the same runs: for each run, memcpy(dst, src,
 * RUN) with RUN a constant, so that the compiler inlines the copy. */
#define RUNS_LOOP(RUN)							\
	for (size_t r = 0; r < nruns; r++)				\
		memcpy(a->out + r * (RUN), a->src + 2 * r * (RUN), (RUN))

static void loop_runs(long n, void *p)
{
	struct copy_arg *a = p;
	size_t nruns = a->nbytes / a->run;

	for (long i = 0; i < n; i++) {
		switch (a->run) {
		case 1: RUNS_LOOP(1); break;
		case 8: RUNS_LOOP(8); break;
		case 64: RUNS_LOOP(64); break;
		case 4096: RUNS_LOOP(4096); break;
		default: RUNS_LOOP(a->run); break;
		}
		__asm__ __volatile__("" : : "r"(a->out) : "memory");
	}
	sink += a->out[a->nbytes - 1];
}

/*
 * A view over every other run of `run` bytes of a 2*nbytes buffer:
 * shape [nbytes/run, run], strides [2*run, 1]; tobytes copies nbytes.
 * Subjects, each in GB/s of the nbytes written (issue 12 item 6: the
 * physical limit of the pattern, measured next to it):
 *   libview        vw_tobytes of the view
 *   memcpy         memcpy of nbytes (the bytes the copy delivers)
 *   c-loop         the simplest C loop copying the same runs (loop_runs)
 *   memcpy-source  memcpy of the whole 2*nbytes source, the bytes the
 *                  pattern streams through the cache when runs are shorter
 *                  than what the hardware fetches (lines, prefetch);
 *                  rate = nbytes / its time
 * Each run size measures its references right next to libview, so that a
 * change of the machine's load between run sizes hits all of them.
 */
static void bench_copy(size_t nbytes)
{
	static const size_t runs[] = { 1, 8, 64, 4096 };
	char *base = malloc(2 * nbytes), *out = malloc(nbytes);
	char *out2 = malloc(2 * nbytes);
	struct vw_view whole;
	struct vw_error err;
	char name[64];
	int rc;

	if (!base || !out || !out2)
		die("malloc", -ENOMEM, NULL);
	memset(base, 1, 2 * nbytes);	/* fault every page in before timing */
	memset(out, 2, nbytes);
	memset(out2, 2, 2 * nbytes);
	rc = vw_from_memory(&whole, base, 2 * nbytes, VW_RDWR, NULL, NULL, &err);
	if (rc < 0)
		die("vw_from_memory", rc, &err);

	for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
		size_t run = runs[k];
		ssize_t shape[2] = { (ssize_t)(nbytes / run), (ssize_t)(2 * run) };
		struct vw_index idx[2] = { { .is_slice = 1 },
					   slice_item(0, (ssize_t)run, 1) };
		struct vw_view grid, v;

		rc = vw_cast(&grid, &whole, "B", 2, shape, &err);
		if (rc < 0)
			die("vw_cast B 2-D", rc, &err);
		rc = vw_slice(&v, &grid, idx, 2, &err);
		if (rc < 0)
			die("vw_slice [:, 0:run]", rc, &err);
		struct copy_arg a = { .v = &v, .out = out, .nbytes = nbytes };
		struct copy_arg ref = { .src = base, .out = out, .nbytes = nbytes };
		struct copy_arg loop = { .src = base, .out = out,
					 .nbytes = nbytes, .run = run };
		struct copy_arg whole_src = { .src = base, .out = out2,
					      .nbytes = 2 * nbytes };
		double s = best_per_call(loop_tobytes, &a);
		double memcpy_s = best_per_call(loop_memcpy, &ref);
		double loop_s = best_per_call(loop_runs, &loop);
		double src_s = best_per_call(loop_memcpy, &whole_src);

		snprintf(name, sizeof(name), "strided copy run %zu B", run);
		emit(name, "libview", "GB/s", "higher", nbytes / s / 1e9);
		emit(name, "memcpy", "GB/s", "higher", nbytes / memcpy_s / 1e9);
		emit(name, "c-loop", "GB/s", "higher", nbytes / loop_s / 1e9);
		emit(name, "memcpy-source", "GB/s", "higher",
		     nbytes / src_s / 1e9);
		vw_release(&v);
		vw_release(&grid);
	}
	vw_release(&whole);
	free(out2);
	free(out);
	free(base);
}

/* ---- tolist of 1M (quick: 256K) elements to /dev/null: ms ---------- */

struct tolist_arg {
	struct vw_view *v;
	FILE *f;
};

static void loop_tolist(long n, void *p)
{
	struct tolist_arg *a = p;

	for (long i = 0; i < n; i++) {
		int rc = vw_tolist(a->v, a->f, NULL);

		if (rc < 0)
			die("vw_tolist", rc, NULL);
		fflush(a->f);
	}
}

static long nlist = 1 << 20;	/* elements; --quick: 256K */

static void bench_tolist(void)
{
	int32_t *ints = malloc(nlist * sizeof(*ints));
	double *dbls = malloc(nlist * sizeof(*dbls));
	uint64_t *rnd = malloc(nlist * sizeof(*rnd));
	float *flts = malloc(nlist * sizeof(*flts));
	FILE *f = fopen("/dev/null", "w");
	struct vw_view braw, draw, bi, bd, rraw, br, fraw, bf;
	struct vw_error err;
	int rc;

	if (!ints || !dbls || !rnd || !flts || !f)
		die("setup tolist", -ENOMEM, NULL);
	/* Same values as pyviews.py: i*7919 - 2^31 wrapped to int32, i/7;
	 * doubles of the bit patterns i * 0x9e3779b97f4a7c15 (a Weyl
	 * sequence: every exponent, some nan and inf); floats i/7 rounded */
	for (long i = 0; i < nlist; i++) {
		ints[i] = (int32_t)(uint32_t)((uint64_t)i * 7919u);
		dbls[i] = i / 7.0;
		rnd[i] = (uint64_t)i * UINT64_C(0x9e3779b97f4a7c15);
		flts[i] = (float)(i / 7.0);
	}
	rc = vw_from_memory(&braw, ints, nlist * sizeof(*ints), VW_RDONLY,
			    NULL, NULL, &err);
	if (rc < 0 || (rc = vw_cast(&bi, &braw, "i", 1, NULL, &err)) < 0)
		die("view of int32", rc, &err);
	rc = vw_from_memory(&draw, dbls, nlist * sizeof(*dbls), VW_RDONLY,
			    NULL, NULL, &err);
	if (rc < 0 || (rc = vw_cast(&bd, &draw, "d", 1, NULL, &err)) < 0)
		die("view of double", rc, &err);
	rc = vw_from_memory(&rraw, rnd, nlist * sizeof(*rnd), VW_RDONLY,
			    NULL, NULL, &err);
	if (rc < 0 || (rc = vw_cast(&br, &rraw, "d", 1, NULL, &err)) < 0)
		die("view of random doubles", rc, &err);
	rc = vw_from_memory(&fraw, flts, nlist * sizeof(*flts), VW_RDONLY,
			    NULL, NULL, &err);
	if (rc < 0 || (rc = vw_cast(&bf, &fraw, "f", 1, NULL, &err)) < 0)
		die("view of float", rc, &err);

	struct tolist_arg a = { .v = &bi, .f = f };
	char name[64];

	snprintf(name, sizeof(name), "tolist %ldK int32", nlist >> 10);
	emit(name, "libview", "ms", "lower", 1e3 * best_per_call(loop_tolist, &a));
	a.v = &bd;
	snprintf(name, sizeof(name), "tolist %ldK double", nlist >> 10);
	emit(name, "libview", "ms", "lower", 1e3 * best_per_call(loop_tolist, &a));
	a.v = &br;
	snprintf(name, sizeof(name), "tolist %ldK double random bits", nlist >> 10);
	emit(name, "libview", "ms", "lower", 1e3 * best_per_call(loop_tolist, &a));
	a.v = &bf;
	snprintf(name, sizeof(name), "tolist %ldK float", nlist >> 10);
	emit(name, "libview", "ms", "lower", 1e3 * best_per_call(loop_tolist, &a));

	vw_release(&bf);
	vw_release(&fraw);
	vw_release(&br);
	vw_release(&rraw);
	vw_release(&bd);
	vw_release(&draw);
	vw_release(&bi);
	vw_release(&braw);
	fclose(f);
	free(flts);
	free(rnd);
	free(dbls);
	free(ints);
}

int main(int argc, char **argv)
{
	size_t copy_bytes = 64u << 20;
	const char *only = NULL;
	int a = 1;

	if (a < argc && !strcmp(argv[a], "--quick")) {
		target_s = 0.03;
		repeats = 3;
		copy_bytes = 16u << 20;
		nlist = 1 << 18;
		a++;
	}
	if (a < argc && (!strcmp(argv[a], "derive") ||
			 !strcmp(argv[a], "copy") || !strcmp(argv[a], "tolist")))
		only = argv[a++];
	if (a != argc) {
		fprintf(stderr, "usage: vwbench [--quick] [derive|copy|tolist]\n");
		return 2;
	}
	if (!only || !strcmp(only, "derive"))
		bench_derive();
	if (!only || !strcmp(only, "copy"))
		bench_copy(copy_bytes);
	if (!only || !strcmp(only, "tolist"))
		bench_tolist();
	return 0;
}
