/* SPDX-License-Identifier: MIT */
/*
 * DLPack export: View.__dlpack__() returns a PyCapsule named "dltensor"
 * holding a DLManagedTensor (the unversioned ABI every consumer reads,
 * numpy.from_dlpack and torch.from_dlpack included) that describes the
 * view's memory on the CPU.
 *
 * Ownership: the managed tensor is one malloc'd struct pv_dl_holder with
 * its own struct vw_view (a reference on the mapping), so the memory stays
 * mapped until the consumer calls the deleter, whatever happens to the
 * View.  A consumer renames the capsule to "used_dltensor" and calls the
 * deleter itself; a capsule nobody consumed calls it from its destructor.
 * For a View over another Python object the holder also keeps a strong
 * reference to its exporter (pyview.h), so the memory stays valid; the
 * deleter may be called from any thread without the GIL, and takes it
 * only to drop that reference.
 *
 * The structs below are the DLPack ABI (dlpack.h, version 0.x), written
 * out here with our own names because Debian ships no dlpack header.
 */
#include "pyview.h"
#include <stdint.h>
#include <stdlib.h>

enum { PV_DL_CPU = 1 };			/* kDLCPU */
enum { PV_DL_INT = 0, PV_DL_UINT = 1, PV_DL_FLOAT = 2, PV_DL_BOOL = 6 };

struct pv_dl_device {
	int32_t device_type;
	int32_t device_id;
};

struct pv_dl_dtype {
	uint8_t code;
	uint8_t bits;
	uint16_t lanes;
};

struct pv_dl_tensor {
	void *data;
	struct pv_dl_device device;
	int32_t ndim;
	struct pv_dl_dtype dtype;
	int64_t *shape;
	int64_t *strides;		/* in items, not bytes */
	uint64_t byte_offset;
};

struct pv_dl_managed {
	struct pv_dl_tensor dl_tensor;
	void *manager_ctx;
	void (*deleter)(struct pv_dl_managed *self);
};

/* The ABI the consumers compile against: 48 + 8 + 8 bytes on LP64. */
_Static_assert(sizeof(struct pv_dl_tensor) == 48, "DLTensor layout");
_Static_assert(offsetof(struct pv_dl_managed, deleter) == 56,
	       "DLManagedTensor layout");

struct pv_dl_holder {
	struct pv_dl_managed managed;	/* first: the capsule points here */
	struct vw_view view;		/* one reference on the mapping */
	PyObject *exporter;		/* the View's exporter, or NULL */
	int64_t shape[VW_MAXDIM];
	int64_t strides[VW_MAXDIM];
};

static void pv_dl_deleter(struct pv_dl_managed *m)
{
	struct pv_dl_holder *h = (struct pv_dl_holder *)m;

	vw_release(&h->view);
	/* the last reference may go from a consumer's thread */
	if (h->exporter && Py_IsInitialized()) {
		PyGILState_STATE g = PyGILState_Ensure();

		Py_DECREF(h->exporter);
		PyGILState_Release(g);
	}
	free(h);
}

static void pv_dl_capsule_destructor(PyObject *cap)
{
	PyObject *type, *value, *tb;
	struct pv_dl_managed *m;

	if (PyCapsule_IsValid(cap, "used_dltensor"))
		return;		/* the consumer owns it now */
	PyErr_Fetch(&type, &value, &tb);
	m = PyCapsule_GetPointer(cap, "dltensor");
	if (m)
		m->deleter(m);
	else
		PyErr_WriteUnraisable(cap);
	PyErr_Restore(type, value, tb);
}

/* The DLPack type of a format, or -1 with BufferError (DLPack has no
 * bytes type and no byte order). */
static int pv_dl_type(const struct vw_view *v, struct pv_dl_dtype *t)
{
	static const uint8_t code[] = {
		[VW_K_INT] = PV_DL_INT, [VW_K_UINT] = PV_DL_UINT,
		[VW_K_FLOAT] = PV_DL_FLOAT, [VW_K_BOOL] = PV_DL_BOOL,
	};

	if (v->fmt.kind == VW_K_CHAR) {
		PyErr_Format(PyExc_BufferError,
			     "DLPack cannot express format '%s' (bytes)",
			     v->format);
		return -1;
	}
	if (v->fmt.swap) {
		PyErr_Format(PyExc_BufferError,
			     "DLPack cannot express format '%s': DLPack data is in the machine's byte order",
			     v->format);
		return -1;
	}
	t->code = code[v->fmt.kind];
	t->bits = (uint8_t)(v->itemsize * 8);
	t->lanes = 1;
	return 0;
}

PyObject *pv_dlpack(PvView *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "stream", "max_version", "dl_device",
				  "copy", NULL };
	PyObject *stream = Py_None, *maxv = Py_None, *dev = Py_None;
	PyObject *copy = Py_None, *cap;
	struct vw_error err = { 0 };
	struct pv_dl_holder *h;
	struct pv_dl_dtype t;
	const struct vw_view *v = &self->view;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$OOOO:__dlpack__",
					 kwlist, &stream, &maxv, &dev, &copy))
		return NULL;
	(void)maxv;	/* we only make unversioned capsules: allowed for any */
	if (pv_check_live(self))
		return NULL;
	if (stream != Py_None) {
		PyErr_SetString(PyExc_BufferError,
				"__dlpack__: stream must be None for CPU memory");
		return NULL;
	}
	if (copy == Py_True) {
		PyErr_SetString(PyExc_BufferError,
				"__dlpack__: copy=True is not supported (a View never copies)");
		return NULL;
	}
	if (dev != Py_None) {
		int type, id;

		/* PyArg_ParseTuple on a non-tuple is a SystemError */
		if (!PyTuple_Check(dev)) {
			PyErr_Format(PyExc_TypeError,
				     "__dlpack__: dl_device must be a tuple (device_type, device_id), not %s",
				     Py_TYPE(dev)->tp_name);
			return NULL;
		}
		if (!PyArg_ParseTuple(dev, "ii:dl_device", &type, &id))
			return NULL;
		if (type != PV_DL_CPU || id != 0) {
			PyErr_Format(PyExc_BufferError,
				     "__dlpack__: device (%d, %d) requested, the View is on the CPU (1, 0)",
				     type, id);
			return NULL;
		}
	}
	if (v->readonly) {
		/* DLPack 0.x has no read-only flag: a consumer would write */
		PyErr_SetString(PyExc_BufferError,
				"__dlpack__: cannot export a read-only View (DLPack cannot mark it read-only)");
		return NULL;
	}
	if (pv_dl_type(v, &t))
		return NULL;
	for (int i = 0; i < v->ndim; i++) {
		if (v->strides[i] % v->itemsize) {
			PyErr_Format(PyExc_BufferError,
				     "__dlpack__: stride %zd of axis %d is not a multiple of the itemsize %zd",
				     v->strides[i], i, v->itemsize);
			return NULL;
		}
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return PyErr_NoMemory();
	if (vw_dup(&h->view, v, &err)) {
		free(h);
		return pv_raise(PV_OP_DERIVE, -EINVAL, &err);
	}
	h->exporter = Py_XNewRef(self->exporter);
	for (int i = 0; i < v->ndim; i++) {
		h->shape[i] = v->shape[i];
		h->strides[i] = v->strides[i] / v->itemsize;
	}
	h->managed.dl_tensor = (struct pv_dl_tensor){
		.data = h->view.buf,
		.device = { PV_DL_CPU, 0 },
		.ndim = v->ndim,
		.dtype = t,
		.shape = h->shape,
		.strides = h->strides,
		.byte_offset = 0,
	};
	h->managed.manager_ctx = h;
	h->managed.deleter = pv_dl_deleter;
	cap = PyCapsule_New(&h->managed, "dltensor", pv_dl_capsule_destructor);
	if (!cap)
		pv_dl_deleter(&h->managed);
	return cap;
}

PyObject *pv_dlpack_device(PvView *self, PyObject *unused)
{
	(void)unused;
	if (pv_check_live(self))
		return NULL;
	return Py_BuildValue("(ii)", PV_DL_CPU, 0);
}
