/* SPDX-License-Identifier: MIT */
/*
 * The View type: a Python object owning one struct vw_view (see the
 * ownership block in pyview.h).  Everything that looks at or derives from
 * the data is a libview call; this file only converts arguments, results
 * and errors, and keeps the lifetime rules of memoryview:
 *
 *   - a derived View (slice, cast, transpose, reshape, toreadonly) takes its
 *     own reference on the mapping, so it outlives its parent;
 *   - a Py_buffer export points into the exporting View's own vw_view
 *     (shape/strides/format arrays), which is why release() is refused
 *     while exports > 0;
 *   - a released View refuses every operation with ValueError, as a
 *     released memoryview does.
 */
#include "pyview.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- lifetime ------------------------------------------------------- */

PyObject *pv_view_new(struct vw_view *v, PyObject *obj, PyObject *exporter)
{
	PvView *self = PyObject_GC_New(PvView, &PvView_Type);

	if (!self) {
		vw_release(v);
		return NULL;
	}
	memcpy(&self->view, v, sizeof(*v));
	memset(v, 0, sizeof(*v));	/* its reference moved into self */
	self->exports = 0;
	self->obj = Py_XNewRef(obj);
	self->exporter = Py_XNewRef(exporter);
	self->weakreflist = NULL;
	PyObject_GC_Track(self);
	return (PyObject *)self;
}

/* Derived views carry the parent's .obj, as memoryview's do, and its
 * exporter (the memory their mapping is). */
static PyObject *pv_derived(PvView *parent, struct vw_view *v)
{
	return pv_view_new(v, parent->obj, parent->exporter);
}

static int pv_traverse(PvView *self, visitproc visit, void *arg)
{
	Py_VISIT(self->obj);
	Py_VISIT(self->exporter);
	return 0;
}

/* Breaking a cycle: .obj here; the exporter's own tp_clear releases the
 * Py_buffer (the View keeps its reference until it is freed). */
static int pv_clear(PvView *self)
{
	Py_CLEAR(self->obj);
	return 0;
}

static void pv_dealloc(PvView *self)
{
	PyObject_GC_UnTrack(self);
	if (self->weakreflist)
		PyObject_ClearWeakRefs((PyObject *)self);
	vw_release(&self->view);	/* no export is live: each holds self */
	Py_CLEAR(self->obj);
	Py_CLEAR(self->exporter);	/* after the mapping is dropped */
	PyObject_GC_Del(self);
}

int pv_check_live(PvView *v)
{
	if (vw_is_valid(&v->view))
		return 0;
	PyErr_SetString(PyExc_ValueError,
			"operation forbidden on released View object");
	return -1;
}

/* ---- the exporter of a View(obj) (memoryview's managed buffer) ------ */

static int pv_exporter_traverse(PvExporter *e, visitproc visit, void *arg)
{
	if (e->held)
		Py_VISIT(e->buf.obj);
	return 0;
}

static int pv_exporter_clear(PvExporter *e)
{
	if (e->held) {
		e->held = 0;
		PyBuffer_Release(&e->buf);
	}
	return 0;
}

static void pv_exporter_dealloc(PvExporter *e)
{
	PyObject_GC_UnTrack(e);
	pv_exporter_clear(e);
	PyObject_GC_Del(e);
}

PyTypeObject PvExporter_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "libview._Exporter",
	.tp_basicsize = sizeof(PvExporter),
	.tp_dealloc = (destructor)pv_exporter_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_traverse = (traverseproc)pv_exporter_traverse,
	.tp_clear = (inquiry)pv_exporter_clear,
};

static char pv_empty[1];

PyObject *pv_view_from_object(PyObject *obj)
{
	ssize_t strides[VW_MAXDIM];
	struct vw_error err = { 0 };
	PyObject *res = NULL;
	const ssize_t *st;
	struct vw_view v;
	PvExporter *e;
	Py_buffer *b;
	int rc;

	if (PyObject_TypeCheck(obj, &PvView_Type)) {
		PvView *src = (PvView *)obj;

		if (pv_check_live(src))
			return NULL;
		rc = vw_dup(&v, &src->view, &err);
		if (rc)
			return pv_raise(PV_OP_DERIVE, rc, &err);
		return pv_derived(src, &v);
	}
	e = PyObject_GC_New(PvExporter, &PvExporter_Type);
	if (!e)
		return NULL;
	e->held = 0;
	b = &e->buf;
	/* strides and format, no suboffsets: libview has no indirect views */
	if (PyObject_GetBuffer(obj, b, PyBUF_RECORDS_RO) < 0)
		goto out;
	e->held = 1;
	PyObject_GC_Track(e);
	if (b->ndim > VW_MAXDIM || b->ndim < 0) {
		PyErr_Format(PyExc_BufferError,
			     "View: %d dimensions (at most %d)", b->ndim,
			     VW_MAXDIM);
		goto out;
	}
	st = b->strides;
	if (!st && b->ndim > 0) {
		ssize_t s = b->itemsize;

		for (int i = b->ndim - 1; i >= 0; i--) {
			strides[i] = s;
			s *= b->shape[i];
		}
		st = strides;
	}
	/* no release callback: the Views on the mapping own e */
	rc = vw_from_strided(&v, b->buf ? b->buf : pv_empty, b->format,
			     b->ndim, b->shape, st,
			     b->readonly ? VW_RDONLY : VW_RDWR, NULL, NULL, &err);
	if (rc) {
		PyErr_Format(PyExc_ValueError, "View(%s): %s",
			     Py_TYPE(obj)->tp_name, err.msg);
		goto out;
	}
	if (v.itemsize != b->itemsize) {
		PyErr_Format(PyExc_ValueError,
			     "View(%s): format '%s' has itemsize %zd but the exporter says %zd",
			     Py_TYPE(obj)->tp_name, v.format, v.itemsize,
			     b->itemsize);
		vw_release(&v);
		goto out;
	}
	res = pv_view_new(&v, obj, (PyObject *)e);
out:
	Py_DECREF(e);	/* the View's reference, if any, keeps it */
	return res;
}

static PyObject *pv_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "obj", NULL };
	PyObject *obj;

	(void)type;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:View", kwlist, &obj))
		return NULL;
	return pv_view_from_object(obj);
}

static PyObject *pv_fromfd(PyObject *cls, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "fd", "writable", "raw", NULL };
	struct vw_error err = { 0 };
	PyObject *fdobj;
	struct vw_view v;
	int writable = 0, raw = 0, fd, rc;

	(void)cls;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|pp:fromfd", kwlist,
					 &fdobj, &writable, &raw))
		return NULL;
	fd = PyObject_AsFileDescriptor(fdobj);
	if (fd < 0)
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = vw_open_fd(&v, fd,
			(writable ? VW_RDWR : VW_RDONLY) | (raw ? VW_NOMETA : 0),
			&err);
	Py_END_ALLOW_THREADS
	if (rc)
		return pv_raise(PV_OP_OPEN, rc, &err);
	return pv_view_new(&v, NULL, NULL);
}

static PyObject *pv_release(PvView *self, PyObject *unused)
{
	(void)unused;
	if (self->exports > 0) {
		PyErr_Format(PyExc_BufferError,
			     "View has %zd exported buffer%s", self->exports,
			     self->exports == 1 ? "" : "s");
		return NULL;
	}
	vw_release(&self->view);
	Py_CLEAR(self->exporter);	/* unlock it if this was the last */
	Py_RETURN_NONE;
}

static PyObject *pv_enter(PvView *self, PyObject *unused)
{
	(void)unused;
	if (pv_check_live(self))
		return NULL;
	return Py_NewRef(self);
}

static PyObject *pv_exit(PvView *self, PyObject *args)
{
	(void)args;
	return pv_release(self, NULL);
}

/* ---- buffer protocol (memoryview's memory_getbuf, rule for rule) ---- */

static int pv_getbuffer(PvView *self, Py_buffer *view, int flags)
{
	struct vw_view *v = &self->view;

	view->obj = NULL;
	if (pv_check_live(self))
		return -1;
	if ((flags & PyBUF_WRITABLE) && v->readonly) {
		PyErr_SetString(PyExc_BufferError, "View is not writable");
		return -1;
	}
	if ((flags & PyBUF_C_CONTIGUOUS) == PyBUF_C_CONTIGUOUS &&
	    !vw_c_contiguous(v)) {
		PyErr_SetString(PyExc_BufferError, "View is not C-contiguous");
		return -1;
	}
	if ((flags & PyBUF_F_CONTIGUOUS) == PyBUF_F_CONTIGUOUS &&
	    !vw_f_contiguous(v)) {
		PyErr_SetString(PyExc_BufferError,
				"View is not Fortran contiguous");
		return -1;
	}
	if ((flags & PyBUF_ANY_CONTIGUOUS) == PyBUF_ANY_CONTIGUOUS &&
	    !vw_contiguous(v)) {
		PyErr_SetString(PyExc_BufferError, "View is not contiguous");
		return -1;
	}
	if ((flags & PyBUF_STRIDES) != PyBUF_STRIDES && !vw_c_contiguous(v)) {
		PyErr_SetString(PyExc_BufferError,
				"View is not C-contiguous (the consumer did not ask for strides)");
		return -1;
	}
	if ((flags & PyBUF_ND) != PyBUF_ND && (flags & PyBUF_FORMAT)) {
		PyErr_SetString(PyExc_BufferError,
				"View: cannot cast to unsigned bytes if the format flag is present");
		return -1;
	}
	view->buf = v->buf;
	view->len = v->len;
	view->readonly = v->readonly;
	view->itemsize = v->itemsize;
	view->format = (flags & PyBUF_FORMAT) ? v->format : NULL;
	view->ndim = v->ndim;
	view->shape = v->shape;
	view->strides = v->strides;
	view->suboffsets = NULL;
	view->internal = NULL;
	if ((flags & PyBUF_ND) != PyBUF_ND) {
		view->ndim = 1;
		view->shape = NULL;
	}
	if ((flags & PyBUF_STRIDES) != PyBUF_STRIDES)
		view->strides = NULL;
	view->obj = Py_NewRef(self);
	self->exports++;
	return 0;
}

static void pv_releasebuffer(PvView *self, Py_buffer *view)
{
	(void)view;
	self->exports--;
}

static PyBufferProcs pv_as_buffer = {
	.bf_getbuffer = (getbufferproc)pv_getbuffer,
	.bf_releasebuffer = (releasebufferproc)pv_releasebuffer,
};

/* ---- indexing ------------------------------------------------------- */

/* A NumPy basic index (an int, a slice, Ellipsis, or a tuple of them) as
 * libview index items.  *all_int: every item an integer.  0 or -1. */
static int pv_parse_key(const struct vw_view *v, PyObject *key,
			struct vw_index *idx, int *nidx, int *all_int)
{
	Py_ssize_t n = PyTuple_Check(key) ? PyTuple_GET_SIZE(key) : 1;
	int out = 0, ellipsis = 0;

	*all_int = 1;
	for (Py_ssize_t i = 0; i < n; i++) {
		PyObject *k = PyTuple_Check(key) ? PyTuple_GET_ITEM(key, i) : key;
		struct vw_index it = { 0 };

		if (k == Py_Ellipsis) {
			Py_ssize_t fill = v->ndim - (n - 1);

			if (ellipsis++) {
				PyErr_SetString(PyExc_IndexError,
						"an index can only have a single ellipsis ('...')");
				return -1;
			}
			*all_int = 0;
			for (; fill > 0 && out < VW_MAXDIM; fill--)
				idx[out++] = (struct vw_index){ .is_slice = 1 };
			continue;
		}
		if (out >= VW_MAXDIM || out >= v->ndim) {
			PyErr_Format(PyExc_IndexError,
				     "too many indices for a %d-D view",
				     v->ndim);
			return -1;
		}
		if (PySlice_Check(k)) {
			it.is_slice = it.has_start = it.has_stop = 1;
			it.has_step = 1;
			if (PySlice_Unpack(k, &it.start, &it.stop, &it.step) < 0)
				return -1;
			*all_int = 0;
		} else if (PyIndex_Check(k)) {
			it.has_start = 1;
			it.start = PyNumber_AsSsize_t(k, PyExc_IndexError);
			if (it.start == -1 && PyErr_Occurred())
				return -1;
		} else {
			PyErr_Format(PyExc_TypeError,
				     "invalid index: %s (only integers, slices, '...' and tuples of them)",
				     Py_TYPE(k)->tp_name);
			return -1;
		}
		idx[out++] = it;
	}
	*nidx = out;
	return 0;
}

static PyObject *pv_get_element(PvView *self, const ssize_t *index)
{
	struct vw_error err = { 0 };
	struct vw_value val;
	int rc = vw_get(&self->view, index, &val, &err);

	if (rc)
		return pv_raise(PV_OP_INDEX, rc, &err);
	return pv_value_to_py(&val);
}

/* self[i] for an integer: an element of a 1-D view, else a sub-view. */
static PyObject *pv_item(PvView *self, Py_ssize_t i)
{
	struct vw_index it = { .has_start = 1, .start = i };
	struct vw_error err = { 0 };
	struct vw_view v;
	int rc;

	if (self->view.ndim == 1)
		return pv_get_element(self, &i);
	rc = vw_slice(&v, &self->view, &it, 1, &err);
	if (rc)
		return pv_raise(PV_OP_DERIVE, rc, &err);
	return pv_derived(self, &v);
}

static PyObject *pv_subscript(PvView *self, PyObject *key)
{
	struct vw_index idx[VW_MAXDIM];
	struct vw_error err = { 0 };
	struct vw_view v;
	int nidx, all_int, rc;

	if (pv_check_live(self))
		return NULL;
	if (self->view.ndim == 0) {
		if (key == Py_Ellipsis)
			return pv_view_from_object((PyObject *)self);
		if (PyTuple_Check(key) && PyTuple_GET_SIZE(key) == 0)
			return pv_get_element(self, NULL);
		PyErr_SetString(PyExc_TypeError,
				"invalid indexing of 0-dim memory");
		return NULL;
	}
	if (pv_parse_key(&self->view, key, idx, &nidx, &all_int))
		return NULL;
	if (all_int && nidx == self->view.ndim) {
		ssize_t index[VW_MAXDIM];

		for (int i = 0; i < nidx; i++)
			index[i] = idx[i].start;
		return pv_get_element(self, index);
	}
	rc = vw_slice(&v, &self->view, idx, nidx, &err);
	if (rc)
		return pv_raise(PV_OP_DERIVE, rc, &err);
	return pv_derived(self, &v);
}

/* Same bytes, same meaning: what memoryview's "same structure" asks of
 * the formats of an assignment (spelling may differ: 'l' and '<q'). */
static int pv_same_format(const struct vw_view *a, const struct vw_view *b)
{
	return a->fmt.kind == b->fmt.kind && a->itemsize == b->itemsize &&
	       a->fmt.swap == b->fmt.swap;
}

/* dst[...] = value for a whole (sub-)view. */
static int pv_assign(const struct vw_view *dst, PyObject *value)
{
	struct vw_error err = { 0 };
	struct vw_literal lit;
	int rc;

	if (!PyBytes_Check(value) && PyObject_CheckBuffer(value)) {
		PvView *src = (PvView *)pv_view_from_object(value);

		if (!src)
			return -1;
		if (!pv_same_format(dst, &src->view) ||
		    dst->ndim != src->view.ndim ||
		    memcmp(dst->shape, src->view.shape,
			   sizeof(ssize_t) * (size_t)dst->ndim)) {
			PyErr_Format(PyExc_ValueError,
				     "View assignment: lvalue and rvalue have different structures (format '%s' vs '%s', or shapes differ)",
				     dst->format, src->view.format);
			Py_DECREF(src);
			return -1;
		}
		rc = vw_copy_to(dst, &src->view, &err);
		Py_DECREF(src);
		if (rc) {
			pv_raise(PV_OP_COPY, rc, &err);
			return -1;
		}
		return 0;
	}
	if (pv_literal_from_py(value, dst, &lit, 0))
		return -1;
	rc = vw_assign(dst, &lit, &err);
	vw_literal_free(&lit);
	if (rc) {
		pv_raise(PV_OP_COPY, rc, &err);
		return -1;
	}
	return 0;
}

static int pv_ass_subscript(PvView *self, PyObject *key, PyObject *value)
{
	struct vw_index idx[VW_MAXDIM];
	struct vw_error err = { 0 };
	struct vw_view v;
	int nidx, all_int, rc;

	if (pv_check_live(self))
		return -1;
	if (!value) {
		PyErr_SetString(PyExc_TypeError, "cannot delete memory");
		return -1;
	}
	if (self->view.readonly) {
		PyErr_SetString(PyExc_TypeError, "cannot modify read-only memory");
		return -1;
	}
	if (self->view.ndim == 0) {
		if (key == Py_Ellipsis ||
		    (PyTuple_Check(key) && PyTuple_GET_SIZE(key) == 0))
			return pv_assign(&self->view, value);
		PyErr_SetString(PyExc_TypeError,
				"invalid indexing of 0-dim memory");
		return -1;
	}
	if (pv_parse_key(&self->view, key, idx, &nidx, &all_int))
		return -1;
	if (all_int && nidx == self->view.ndim) {
		struct vw_value val;

		/* the element as a 0-d view: an index out of range is then
		 * vw_slice's -ERANGE (IndexError), a value out of range
		 * vw_set's (ValueError) */
		if (pv_value_from_py(value, &self->view, &val))
			return -1;
		rc = vw_slice(&v, &self->view, idx, nidx, &err);
		if (rc) {
			pv_raise(PV_OP_INDEX, rc, &err);
			return -1;
		}
		rc = vw_set(&v, NULL, &val, &err);
		vw_release(&v);
		if (rc) {
			pv_raise(PV_OP_ELEMENT, rc, &err);
			return -1;
		}
		return 0;
	}
	rc = vw_slice(&v, &self->view, idx, nidx, &err);
	if (rc) {
		pv_raise(PV_OP_DERIVE, rc, &err);
		return -1;
	}
	rc = pv_assign(&v, value);
	vw_release(&v);
	return rc;
}

static Py_ssize_t pv_length(PvView *self)
{
	if (pv_check_live(self))
		return -1;
	return self->view.ndim == 0 ? 1 : self->view.shape[0];
}

static PyMappingMethods pv_as_mapping = {
	.mp_length = (lenfunc)pv_length,
	.mp_subscript = (binaryfunc)pv_subscript,
	.mp_ass_subscript = (objobjargproc)pv_ass_subscript,
};

/* ---- iteration over the first axis ---------------------------------- */

typedef struct {
	PyObject_HEAD
	PvView *view;		/* strong reference */
	Py_ssize_t next;
} PvIter;

static PyObject *pv_iter(PvView *self)
{
	PvIter *it;

	if (pv_check_live(self))
		return NULL;
	if (self->view.ndim == 0) {
		PyErr_SetString(PyExc_TypeError,
				"invalid indexing of 0-dim memory");
		return NULL;
	}
	it = PyObject_GC_New(PvIter, &PvIter_Type);
	if (!it)
		return NULL;
	it->view = (PvView *)Py_NewRef(self);
	it->next = 0;
	PyObject_GC_Track(it);
	return (PyObject *)it;
}

static int pv_iter_traverse(PvIter *it, visitproc visit, void *arg)
{
	Py_VISIT(it->view);
	return 0;
}

static int pv_iter_clear(PvIter *it)
{
	Py_CLEAR(it->view);
	return 0;
}

static void pv_iter_dealloc(PvIter *it)
{
	PyObject_GC_UnTrack(it);
	Py_CLEAR(it->view);
	PyObject_GC_Del(it);
}

static PyObject *pv_iter_next(PvIter *it)
{
	if (!it->view)
		return NULL;	/* cleared by the collector */
	if (pv_check_live(it->view))
		return NULL;
	if (it->next >= it->view->view.shape[0])
		return NULL;
	return pv_item(it->view, it->next++);
}

PyTypeObject PvIter_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "libview.ViewIterator",
	.tp_basicsize = sizeof(PvIter),
	.tp_dealloc = (destructor)pv_iter_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_traverse = (traverseproc)pv_iter_traverse,
	.tp_clear = (inquiry)pv_iter_clear,
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)pv_iter_next,
};

/* ---- comparison ----------------------------------------------------- */

static PyObject *pv_richcompare(PvView *self, PyObject *other, int op)
{
	struct vw_error err = { 0 };
	PvView *o;
	int eq;

	if (op != Py_EQ && op != Py_NE)
		Py_RETURN_NOTIMPLEMENTED;
	if ((PyObject *)self == other) {
		eq = 1;
		goto done;
	}
	if (!vw_is_valid(&self->view)) {
		eq = 0;
		goto done;
	}
	if (PyObject_TypeCheck(other, &PvView_Type)) {
		o = (PvView *)Py_NewRef(other);
	} else if (PyObject_CheckBuffer(other)) {
		o = (PvView *)pv_view_from_object(other);
		if (!o) {
			PyErr_Clear();
			Py_RETURN_NOTIMPLEMENTED;
		}
	} else {
		Py_RETURN_NOTIMPLEMENTED;
	}
	eq = vw_is_valid(&o->view) ? vw_equal(&self->view, &o->view, &err) : 0;
	Py_DECREF(o);
	if (eq < 0)
		return pv_raise(PV_OP_COPY, eq, &err);
done:
	return PyBool_FromLong(op == Py_EQ ? eq : !eq);
}

/* ---- derivations ---------------------------------------------------- */

/* A sequence of ints (or the ints of a *args tuple) into dims[].
 * Returns the count or -1 with an exception. */
static int pv_dims(PyObject *seq, ssize_t *dims, const char *what)
{
	PyObject *fast = pv_tuple_snapshot(seq, what);
	Py_ssize_t n;

	if (!fast)
		return -1;
	n = PyTuple_GET_SIZE(fast);
	if (n > VW_MAXDIM) {
		PyErr_Format(PyExc_ValueError,
			     "%s: %zd dimensions, at most %d", what, n,
			     VW_MAXDIM);
		Py_DECREF(fast);
		return -1;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		dims[i] = PyNumber_AsSsize_t(PyTuple_GET_ITEM(fast, i),
					     PyExc_ValueError);
		if (dims[i] == -1 && PyErr_Occurred()) {
			Py_DECREF(fast);
			return -1;
		}
	}
	Py_DECREF(fast);
	return (int)n;
}

/* f(*shape) and f(shape) both mean a shape, as in NumPy. */
static PyObject *pv_star_or_seq(PyObject *args)
{
	if (PyTuple_GET_SIZE(args) == 1 &&
	    !PyIndex_Check(PyTuple_GET_ITEM(args, 0)))
		return Py_NewRef(PyTuple_GET_ITEM(args, 0));
	return Py_NewRef(args);
}

static PyObject *pv_cast(PvView *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "format", "shape", NULL };
	ssize_t dims[VW_MAXDIM];
	struct vw_error err = { 0 };
	PyObject *shape = NULL;
	struct vw_format f;
	struct vw_view v;
	const char *fmt;
	int ndim = 0, rc;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "s|O:cast", kwlist, &fmt,
					 &shape))
		return NULL;
	if (pv_check_live(self))
		return NULL;
	if (vw_format_parse(fmt, &f, &err)) {
		PyErr_Format(PyExc_ValueError, "cast: %s", err.msg);
		return NULL;
	}
	if (shape && shape != Py_None) {
		if (!PyList_Check(shape) && !PyTuple_Check(shape)) {
			PyErr_SetString(PyExc_TypeError,
					"cast: shape must be a list or a tuple");
			return NULL;
		}
		ndim = pv_dims(shape, dims, "cast");
		if (ndim < 0)
			return NULL;
		ssize_t prod = (ssize_t)f.itemsize;

		for (int i = 0; i < ndim; i++) {
			if (dims[i] <= 0) {
				PyErr_Format(PyExc_ValueError,
					     "cast: elements of shape must be integers > 0 (got %zd)",
					     dims[i]);
				return NULL;
			}
			/* a value error, as memoryview's; vw_cast would say
			 * -EINVAL, which is TypeError for the other rules */
			if (__builtin_mul_overflow(prod, dims[i], &prod)) {
				PyErr_SetString(PyExc_ValueError,
						"cast: product(shape) * itemsize > SSIZE_MAX");
				return NULL;
			}
		}
	}
	rc = vw_cast(&v, &self->view, fmt, ndim,
		     shape && shape != Py_None ? dims : NULL, &err);
	if (rc)
		return pv_raise(PV_OP_CAST, rc, &err);
	return pv_derived(self, &v);
}

static PyObject *pv_transpose(PvView *self, PyObject *args)
{
	int perm[VW_MAXDIM], n = 0, rc;
	ssize_t axes[VW_MAXDIM];
	struct vw_error err = { 0 };
	struct vw_view v;

	if (pv_check_live(self))
		return NULL;
	if (PyTuple_GET_SIZE(args) > 0 &&
	    !(PyTuple_GET_SIZE(args) == 1 && PyTuple_GET_ITEM(args, 0) == Py_None)) {
		PyObject *seq = pv_star_or_seq(args);

		n = pv_dims(seq, axes, "transpose");
		Py_DECREF(seq);
		if (n < 0)
			return NULL;
		for (int i = 0; i < n; i++) {
			ssize_t a = axes[i];

			if (a < 0)	/* NumPy counts negative axes from the end */
				a += self->view.ndim;
			perm[i] = a < 0 || a >= VW_MAXDIM ? -1 : (int)a;
		}
		rc = vw_transpose(&v, &self->view, perm, n, &err);
	} else {
		rc = vw_transpose(&v, &self->view, NULL, 0, &err);
	}
	if (rc)
		return pv_raise(PV_OP_DERIVE, rc, &err);
	return pv_derived(self, &v);
}

static PyObject *pv_T(PvView *self, void *closure)
{
	PyObject *args = PyTuple_New(0), *r;

	(void)closure;
	if (!args)
		return NULL;
	r = pv_transpose(self, args);
	Py_DECREF(args);
	return r;
}

/* NumPy's one -1 dimension, inferred from the others; 0 or -1. */
static int pv_infer_dim(const struct vw_view *v, ssize_t *dims, int n)
{
	ssize_t known = 1, items = v->itemsize ? v->len / v->itemsize : 0;
	int unknown = -1;

	for (int i = 0; i < n; i++) {
		if (dims[i] != -1) {
			if (dims[i] >= 0 && __builtin_mul_overflow(known, dims[i], &known))
				known = -1;
			continue;
		}
		if (unknown >= 0) {
			PyErr_SetString(PyExc_ValueError,
					"reshape: can only specify one unknown dimension");
			return -1;
		}
		unknown = i;
	}
	if (unknown < 0)
		return 0;
	if (known <= 0 || items % known) {
		PyErr_Format(PyExc_ValueError,
			     "reshape: cannot reshape %zd elements with an unknown dimension",
			     items);
		return -1;
	}
	dims[unknown] = items / known;
	return 0;
}

static PyObject *pv_reshape(PvView *self, PyObject *args)
{
	ssize_t dims[VW_MAXDIM];
	struct vw_error err = { 0 };
	struct vw_view v;
	PyObject *seq;
	int n, rc;

	if (pv_check_live(self))
		return NULL;
	seq = pv_star_or_seq(args);
	n = pv_dims(seq, dims, "reshape");
	Py_DECREF(seq);
	if (n < 0 || pv_infer_dim(&self->view, dims, n))
		return NULL;
	rc = vw_reshape(&v, &self->view, n, dims, &err);
	if (rc)
		return pv_raise(PV_OP_DERIVE, rc, &err);
	return pv_derived(self, &v);
}

static PyObject *pv_toreadonly(PvView *self, PyObject *unused)
{
	struct vw_error err = { 0 };
	struct vw_view v;
	int rc;

	(void)unused;
	if (pv_check_live(self))
		return NULL;
	rc = vw_toreadonly(&v, &self->view, &err);
	if (rc)
		return pv_raise(PV_OP_DERIVE, rc, &err);
	return pv_derived(self, &v);
}

/* ---- copying out ---------------------------------------------------- */

/* The nested list of the C-order items at *p (advanced past them). */
static PyObject *pv_tolist_at(const struct vw_view *v, int dim,
			      const char **p)
{
	PyObject *list, *item;
	struct vw_value val;

	if (dim == v->ndim) {
		vw_unpack(&v->fmt, *p, &val);
		*p += v->itemsize;
		return pv_value_to_py(&val);
	}
	list = PyList_New(v->shape[dim]);
	if (!list)
		return NULL;
	for (ssize_t i = 0; i < v->shape[dim]; i++) {
		item = pv_tolist_at(v, dim + 1, p);
		if (!item) {
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, i, item);
	}
	return list;
}

static PyObject *pv_tolist(PvView *self, PyObject *unused)
{
	struct vw_error err = { 0 };
	const char *p;
	PyObject *res;
	char *copy;
	int rc;

	(void)unused;
	if (pv_check_live(self))
		return NULL;
	/* the items are read by vw_tobytes, which is guarded: a page of a
	 * truncated file is the exception tobytes() raises, not a SIGBUS
	 * (vw_unpack on the mapping would not be) */
	copy = PyMem_Malloc(self->view.len ? (size_t)self->view.len : 1);
	if (!copy)
		return PyErr_NoMemory();
	rc = vw_tobytes(&self->view, 'C', copy, (size_t)self->view.len, &err);
	if (rc) {
		PyMem_Free(copy);
		return pv_raise(PV_OP_COPY, rc, &err);
	}
	p = copy;
	res = pv_tolist_at(&self->view, 0, &p);
	PyMem_Free(copy);
	return res;
}

static PyObject *pv_tobytes(PvView *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "order", NULL };
	struct vw_error err = { 0 };
	const char *order = NULL;
	PyObject *bytes;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|z:tobytes", kwlist,
					 &order))
		return NULL;
	if (pv_check_live(self))
		return NULL;
	if (order && (strlen(order) != 1 || !strchr("CFA", order[0]))) {
		PyErr_SetString(PyExc_ValueError,
				"order must be 'C', 'F' or 'A'");
		return NULL;
	}
	bytes = PyBytes_FromStringAndSize(NULL, self->view.len);
	if (!bytes)
		return NULL;
	rc = vw_tobytes(&self->view, order ? order[0] : 'C',
			PyBytes_AS_STRING(bytes), (size_t)self->view.len, &err);
	if (rc) {
		Py_DECREF(bytes);
		return pv_raise(PV_OP_COPY, rc, &err);
	}
	return bytes;
}

static PyObject *pv_hex(PvView *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "sep", "bytes_per_sep", NULL };
	struct vw_error err = { 0 };
	PyObject *sepobj = NULL, *res;
	int per = 1, rc;
	char sep = 0, *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|Oi:hex", kwlist,
					 &sepobj, &per))
		return NULL;
	if (pv_check_live(self))
		return NULL;
	if (sepobj && sepobj != Py_None) {
		Py_ssize_t n;

		if (PyUnicode_Check(sepobj)) {
			n = PyUnicode_GET_LENGTH(sepobj);
			if (n == 1 && PyUnicode_READ_CHAR(sepobj, 0) > 127) {
				PyErr_SetString(PyExc_ValueError,
						"sep must be ASCII.");
				return NULL;
			}
			if (n == 1)
				sep = (char)PyUnicode_READ_CHAR(sepobj, 0);
		} else if (PyBytes_Check(sepobj)) {
			n = PyBytes_GET_SIZE(sepobj);
			if (n == 1)
				sep = PyBytes_AS_STRING(sepobj)[0];
		} else {
			PyErr_SetString(PyExc_TypeError,
					"sep must be str or bytes.");
			return NULL;
		}
		if (n != 1) {
			PyErr_SetString(PyExc_ValueError,
					"sep must be length 1.");
			return NULL;
		}
	}
	f = open_memstream(&text, &len);
	if (!f)
		return PyErr_NoMemory();
	rc = vw_hex(&self->view, sep, sep ? per : 0, f, &err);
	if (fclose(f) && !rc)
		rc = -ENOMEM;
	if (rc) {
		free(text);
		return pv_raise(PV_OP_COPY, rc, &err);
	}
	res = PyUnicode_DecodeASCII(text, (Py_ssize_t)len, "strict");
	free(text);
	return res;
}

/* ---- attributes ----------------------------------------------------- */

static PyObject *pv_tuple(const ssize_t *a, int n)
{
	PyObject *t = PyTuple_New(n);

	if (!t)
		return NULL;
	for (int i = 0; i < n; i++) {
		PyObject *x = PyLong_FromSsize_t(a[i]);

		if (!x) {
			Py_DECREF(t);
			return NULL;
		}
		PyTuple_SET_ITEM(t, i, x);
	}
	return t;
}

#define PV_LIVE(self) do { if (pv_check_live(self)) return NULL; } while (0)

static PyObject *pv_get_format(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return PyUnicode_FromString(s->view.format);
}

static PyObject *pv_get_itemsize(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return PyLong_FromSsize_t(s->view.itemsize);
}

static PyObject *pv_get_ndim(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return PyLong_FromLong(s->view.ndim);
}

static PyObject *pv_get_shape(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return pv_tuple(s->view.shape, s->view.ndim);
}

static PyObject *pv_get_strides(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return pv_tuple(s->view.strides, s->view.ndim);
}

static PyObject *pv_get_nbytes(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return PyLong_FromSsize_t(s->view.len);
}

static PyObject *pv_get_readonly(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return PyBool_FromLong(s->view.readonly);
}

static PyObject *pv_get_dtype(PvView *s, void *c)
{
	char buf[16];

	(void)c;
	PV_LIVE(s);
	pv_dtype_str(&s->view.fmt, buf, sizeof(buf));
	return PyUnicode_FromString(buf);
}

static PyObject *pv_get_released(PvView *s, void *c)
{
	(void)c;
	return PyBool_FromLong(!vw_is_valid(&s->view));
}

static PyObject *pv_get_obj(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return Py_NewRef(s->obj ? s->obj : Py_None);
}

static PyObject *pv_get_c_contiguous(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return PyBool_FromLong(vw_c_contiguous(&s->view));
}

static PyObject *pv_get_f_contiguous(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return PyBool_FromLong(vw_f_contiguous(&s->view));
}

static PyObject *pv_get_contiguous(PvView *s, void *c)
{
	(void)c;
	PV_LIVE(s);
	return PyBool_FromLong(vw_contiguous(&s->view));
}

static PyObject *pv_get_map_refs(PvView *s, void *c)
{
	(void)c;
	return PyLong_FromLong(vw_map_refs(&s->view));
}

static PyObject *pv_get_exports(PvView *s, void *c)
{
	(void)c;
	return PyLong_FromSsize_t(s->exports);
}

static PyGetSetDef pv_getset[] = {
	{ "format", (getter)pv_get_format, NULL, "struct-module format of one item", NULL },
	{ "itemsize", (getter)pv_get_itemsize, NULL, "bytes per item", NULL },
	{ "ndim", (getter)pv_get_ndim, NULL, "number of dimensions", NULL },
	{ "shape", (getter)pv_get_shape, NULL, "tuple of dimensions", NULL },
	{ "strides", (getter)pv_get_strides, NULL, "tuple of byte strides", NULL },
	{ "nbytes", (getter)pv_get_nbytes, NULL, "product(shape) * itemsize", NULL },
	{ "readonly", (getter)pv_get_readonly, NULL, "True if read-only", NULL },
	{ "dtype", (getter)pv_get_dtype, NULL,
	  "NumPy dtype string meaning the same bytes ('<l' -> '<i4', '@d' -> '=f8')", NULL },
	{ "released", (getter)pv_get_released, NULL, "True after release()", NULL },
	{ "obj", (getter)pv_get_obj, NULL, "the object View(obj) wraps, or None", NULL },
	{ "c_contiguous", (getter)pv_get_c_contiguous, NULL, NULL, NULL },
	{ "f_contiguous", (getter)pv_get_f_contiguous, NULL, NULL, NULL },
	{ "contiguous", (getter)pv_get_contiguous, NULL, NULL, NULL },
	{ "T", (getter)pv_T, NULL, "transpose()", NULL },
	{ "_map_refs", (getter)pv_get_map_refs, NULL,
	  "references held on the mapping (tests)", NULL },
	{ "_exports", (getter)pv_get_exports, NULL,
	  "live buffer exports (tests)", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static PyMethodDef pv_methods[] = {
	{ "fromfd", (PyCFunction)(void (*)(void))pv_fromfd,
	  METH_VARARGS | METH_KEYWORDS | METH_CLASS,
	  "View.fromfd(fd, writable=False, raw=False): map what fd refers to "
	  "(the descriptor is borrowed)" },
	{ "release", (PyCFunction)pv_release, METH_NOARGS,
	  "drop this view's reference on the mapping (BufferError while buffers are exported)" },
	{ "close", (PyCFunction)pv_release, METH_NOARGS, "the same as release()" },
	{ "__enter__", (PyCFunction)pv_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)pv_exit, METH_VARARGS, NULL },
	{ "cast", (PyCFunction)(void (*)(void))pv_cast,
	  METH_VARARGS | METH_KEYWORDS, "cast(format, shape=None), as memoryview.cast" },
	{ "transpose", (PyCFunction)pv_transpose, METH_VARARGS,
	  "transpose(*axes), as numpy (no axes: reversed)" },
	{ "reshape", (PyCFunction)pv_reshape, METH_VARARGS,
	  "reshape(*shape) without copying (ValueError where NumPy would copy)" },
	{ "toreadonly", (PyCFunction)pv_toreadonly, METH_NOARGS, NULL },
	{ "tolist", (PyCFunction)pv_tolist, METH_NOARGS, NULL },
	{ "tobytes", (PyCFunction)(void (*)(void))pv_tobytes,
	  METH_VARARGS | METH_KEYWORDS, "tobytes(order='C')" },
	{ "hex", (PyCFunction)(void (*)(void))pv_hex,
	  METH_VARARGS | METH_KEYWORDS, "hex(sep=None, bytes_per_sep=1)" },
	{ "__dlpack__", (PyCFunction)(void (*)(void))pv_dlpack,
	  METH_VARARGS | METH_KEYWORDS,
	  "a DLPack capsule ('dltensor') sharing the mapping" },
	{ "__dlpack_device__", (PyCFunction)pv_dlpack_device, METH_NOARGS,
	  "(1, 0): CPU" },
	{ NULL, NULL, 0, NULL }
};

static PyObject *pv_repr(PvView *self)
{
	PyObject *shape, *r;

	if (!vw_is_valid(&self->view))
		return PyUnicode_FromFormat("<released libview.View at %p>", self);
	shape = pv_tuple(self->view.shape, self->view.ndim);
	if (!shape)
		return NULL;
	r = PyUnicode_FromFormat("<libview.View format='%s' shape=%R%s>",
				 self->view.format, shape,
				 self->view.readonly ? " readonly" : "");
	Py_DECREF(shape);
	return r;
}

PyTypeObject PvView_Type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "libview.View",
	.tp_doc = "View(obj): a typed, strided view over a mapping (or over any\n"
		  "object with the buffer protocol).  Exports the buffer protocol\n"
		  "and DLPack; slicing, cast, transpose, reshape never copy.",
	.tp_basicsize = sizeof(PvView),
	.tp_dealloc = (destructor)pv_dealloc,
	.tp_repr = (reprfunc)pv_repr,
	.tp_as_mapping = &pv_as_mapping,
	.tp_as_buffer = &pv_as_buffer,
	.tp_hash = PyObject_HashNotImplemented,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_traverse = (traverseproc)pv_traverse,
	.tp_clear = (inquiry)pv_clear,
	.tp_richcompare = (richcmpfunc)pv_richcompare,
	.tp_weaklistoffset = offsetof(PvView, weakreflist),
	.tp_iter = (getiterfunc)pv_iter,
	.tp_methods = pv_methods,
	.tp_getset = pv_getset,
	.tp_new = pv_new,
};
