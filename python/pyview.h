/* SPDX-License-Identifier: MIT */
/*
 * The CPython module `libview`: internals shared by its source files.
 *
 *   module.c     the module: open(), create(), errors (errno -> exception)
 *   view_type.c  the View type: lifetime, buffer protocol, indexing, methods
 *   convert.c    Python values <-> struct vw_value / vw_literal, dtype names
 *   dlpack.c     __dlpack__ / __dlpack_device__
 *
 * Ownership
 * ---------
 * A View object owns one struct vw_view, that is one reference on a
 * struct vw_map (the mapping of a file, or the memory of another Python
 * object).  Every derived View (slice, cast, ...) gets its own vw_view and
 * so its own reference: the mapping lives until the last View, buffer
 * export or DLPack tensor on it is gone, whatever the order.
 *
 * `exports` counts the Py_buffers handed out by the buffer protocol: each
 * points into this object's vw_view (buf, shape, strides, format), so
 * release() is refused with BufferError while exports > 0, as memoryview
 * does.  A DLPack tensor holds a vw_view (a reference) of its own and does
 * not count as an export.
 *
 * A View over another object's buffer (View(obj)) keeps that Py_buffer in
 * a PvExporter, a small GC-tracked object (memoryview's managed buffer):
 * every View on that mapping and every DLPack tensor made from one holds a
 * strong reference to it, so the exporter stays alive and locked until the
 * last of them is gone (release() drops the View's at once).  The vw_map
 * itself holds no Python reference (no release callback): the references
 * the garbage collector has to see are all in objects it traverses (View
 * -> exporter -> Py_buffer.obj, View -> obj), so a cycle through the
 * exporter (b.v = View(b)) is collected.  A DLPack tensor's reference is
 * invisible to the collector and keeps the cycle alive, as it must: the
 * consumer still reads the memory.
 */
#ifndef PYVIEW_H
#define PYVIEW_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "view.h"

typedef struct {
	PyObject_HEAD
	struct vw_view view;	/* released (map NULL) after release() */
	Py_ssize_t exports;	/* live Py_buffers from pv_getbuffer */
	PyObject *obj;		/* the object View(obj) wraps, or NULL
				   (a strong reference, for .obj) */
	PyObject *exporter;	/* the PvExporter whose memory the mapping
				   is, or NULL (a file); strong, dropped
				   by release() */
	PyObject *weakreflist;
} PvView;

/* The Py_buffer of the object a View(obj) mapping is over. */
typedef struct {
	PyObject_HEAD
	Py_buffer buf;
	int held;		/* buf is a live export: release it */
} PvExporter;

extern PyTypeObject PvView_Type;
extern PyTypeObject PvIter_Type;
extern PyTypeObject PvExporter_Type;

/* A new View owning *v (its reference moves in; *v is zeroed).  On failure
 * *v is released.  obj and exporter (either may be NULL) are stored with
 * new references. */
PyObject *pv_view_new(struct vw_view *v, PyObject *obj, PyObject *exporter);

/* View(obj) for any buffer exporter: a new reference or NULL. */
PyObject *pv_view_from_object(PyObject *obj);

/* Raise the exception memoryview would for libview's error code in an
 * operation of the given kind, with libview's message.  Returns NULL. */
enum pv_op {
	PV_OP_OPEN,		/* OSError family by errno; EINVAL: ValueError */
	PV_OP_DERIVE,		/* slice/transpose/reshape: ValueError,
				   ERANGE: IndexError */
	PV_OP_CAST,		/* TypeError as memoryview.cast, bad format or
				   shape values: ValueError */
	PV_OP_ELEMENT,		/* get/set: EINVAL TypeError, ERANGE
				   ValueError, EROFS TypeError */
	PV_OP_INDEX,		/* element index: ERANGE IndexError */
	PV_OP_COPY,		/* tobytes, hex, assignment */
};
PyObject *pv_raise(enum pv_op op, int rc, const struct vw_error *err);

/* ValueError as memoryview's for an operation on a released view: returns
 * -1 if v is released (and raises), else 0. */
int pv_check_live(PvView *v);

/* Conversions (convert.c). */
PyObject *pv_value_to_py(const struct vw_value *val);
/* 0 or -1 with TypeError/ValueError set. */
int pv_value_from_py(PyObject *o, const struct vw_view *v,
		     struct vw_value *out);
/* A vw_literal tree for `v[key] = o`; free with vw_literal_free.
 * 0 or -1 with an exception set. */
int pv_literal_from_py(PyObject *o, const struct vw_view *v,
		       struct vw_literal *out, int depth);
/* A tuple of the items of sequence o (a new reference; TypeError msg if o
 * is not iterable): a snapshot that Python code run while converting the
 * items (__index__ ...) cannot change under the caller. */
PyObject *pv_tuple_snapshot(PyObject *o, const char *msg);
/* The NumPy dtype string of a format ('<l' -> "<i4"); NULL-free buffer of
 * at least 8 bytes. */
void pv_dtype_str(const struct vw_format *f, char *out, size_t n);

/* DLPack (dlpack.c). */
PyObject *pv_dlpack(PvView *self, PyObject *args, PyObject *kwds);
PyObject *pv_dlpack_device(PvView *self, PyObject *unused);

#endif
