/* SPDX-License-Identifier: MIT */
/*
 * The module `libview`: open() and create() of files and device nodes,
 * and the one place that turns libview's -errno and message into the
 * exception memoryview (or the os module) would raise.
 */
#include "pyview.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static PyObject *pv_exc_type(enum pv_op op, int rc, const char *msg)
{
	int type_error = !strncmp(msg, "invalid type", 12);

	if (rc == -ENOMEM)
		return PyExc_MemoryError;
	switch (op) {
	case PV_OP_OPEN:
		return rc == -EINVAL ? PyExc_ValueError : PyExc_OSError;
	case PV_OP_DERIVE:
	case PV_OP_INDEX:
		return rc == -ERANGE ? PyExc_IndexError : PyExc_ValueError;
	case PV_OP_CAST:
		return PyExc_TypeError;
	case PV_OP_ELEMENT:
	case PV_OP_COPY:
		if (rc == -EROFS || type_error)
			return PyExc_TypeError;
		if (rc == -EIO)
			return PyExc_OSError;
		return PyExc_ValueError;
	}
	return PyExc_ValueError;
}

PyObject *pv_raise(enum pv_op op, int rc, const struct vw_error *err)
{
	const char *msg = err && err->msg[0] ? err->msg : strerror(-rc);
	PyObject *type = pv_exc_type(op, rc, msg), *text, *exc;

	/* the message quotes paths and xattr values, which need not be
	 * UTF-8: undecodable bytes are kept as \xNN, so the exception is
	 * still this one (not a UnicodeDecodeError, not an empty one) */
	text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg),
				    "backslashreplace");
	if (!text)
		return NULL;
	if (type != PyExc_OSError) {
		PyErr_SetObject(type, text);
		Py_DECREF(text);
		return NULL;
	}
	/* OSError(errno, msg) picks FileNotFoundError & co.; libview's
	 * message already names the path, so no filename (str() would
	 * repeat it) */
	exc = PyObject_CallFunction(PyExc_OSError, "iO", -rc, text);
	Py_DECREF(text);
	if (exc) {
		PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
		Py_DECREF(exc);
	}
	return NULL;
}

static PyObject *pv_open(PyObject *mod, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "path", "writable", "raw", NULL };
	PyObject *path = NULL;
	struct vw_error err = { 0 };
	struct vw_view v;
	int writable = 0, raw = 0, rc;

	(void)mod;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|pp:open", kwlist,
					 PyUnicode_FSConverter, &path,
					 &writable, &raw))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = vw_open(&v, PyBytes_AS_STRING(path),
		     (writable ? VW_RDWR : VW_RDONLY) | (raw ? VW_NOMETA : 0),
		     &err);
	Py_END_ALLOW_THREADS
	if (rc) {
		pv_raise(PV_OP_OPEN, rc, &err);
		Py_DECREF(path);
		return NULL;
	}
	Py_DECREF(path);
	return pv_view_new(&v, NULL, NULL);
}

/* shape (an int or a sequence of ints >= 0) as "D0,D1,..." and its byte
 * size; 0 or -1 with ValueError/TypeError. */
static int pv_shape_text(PyObject *shape, char *text, size_t n, int *ndim)
{
	PyObject *seq;
	size_t used = 0;
	Py_ssize_t k;

	if (PyIndex_Check(shape))
		seq = PyTuple_Pack(1, shape);
	else
		seq = pv_tuple_snapshot(shape, "create: shape must be an int or a sequence of ints");
	if (!seq)
		return -1;
	k = PyTuple_GET_SIZE(seq);
	if (k < 1 || k > VW_MAXDIM) {
		PyErr_Format(PyExc_ValueError,
			     "create: shape has %zd dimensions, must be 1..%d (metadata cannot describe 0-d)",
			     k, VW_MAXDIM);
		goto fail;
	}
	text[0] = 0;
	for (Py_ssize_t i = 0; i < k; i++) {
		Py_ssize_t d = PyNumber_AsSsize_t(PyTuple_GET_ITEM(seq, i),
						  PyExc_ValueError);
		int w;

		if (d == -1 && PyErr_Occurred())
			goto fail;
		if (d < 0) {
			PyErr_Format(PyExc_ValueError,
				     "create: negative dimension %zd in shape",
				     d);
			goto fail;
		}
		w = snprintf(text + used, n - used, "%s%zd", i ? "," : "", d);
		if (w < 0 || (size_t)w >= n - used) {
			PyErr_SetString(PyExc_ValueError,
					"create: shape too long");
			goto fail;
		}
		used += (size_t)w;
	}
	*ndim = (int)k;
	Py_DECREF(seq);
	return 0;
fail:
	Py_DECREF(seq);
	return -1;
}

/* Size the new file at fd and set its metadata; -errno with err set. */
static int pv_create_fd(int fd, const char *fmt, const char *shape,
			ssize_t nbytes, struct vw_error *err)
{
	const char *name = "user.view.format";
	int rc;

	if (ftruncate(fd, (off_t)nbytes) < 0)
		goto fail_errno;
	if (fsetxattr(fd, name, fmt, strlen(fmt), 0) < 0)
		goto fail_xattr;
	name = "user.view.shape";
	if (fsetxattr(fd, name, shape, strlen(shape), 0) < 0)
		goto fail_xattr;
	return 0;
fail_xattr:
	rc = errno;
	snprintf(err->msg, sizeof(err->msg), "cannot set %s='%.64s': %s%s",
		 name, name[10] == 'f' ? fmt : shape, strerror(rc),
		 rc == ENOTSUP ? " (the file system has no user xattrs)" : "");
	return err->code = -rc;
fail_errno:
	rc = errno;
	snprintf(err->msg, sizeof(err->msg),
		 "cannot size the file to %zd bytes: %s", nbytes, strerror(rc));
	return err->code = -rc;
}

/* Create (or with overwrite truncate) the file at path, size it, set its
 * metadata and map it into *v; *created: the file is new (removed again
 * on failure).  -errno with err set.  Runs without the GIL. */
static int pv_create_file(const char *path, int overwrite, const char *fmt,
			  const char *shape, ssize_t nbytes, struct vw_view *v,
			  int *created, struct vw_error *err)
{
	int fd, rc;

	*created = 1;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST && overwrite) {
		*created = 0;
		fd = open(path, O_RDWR | O_TRUNC | O_CLOEXEC);
	}
	if (fd < 0) {
		rc = -errno;
		snprintf(err->msg, sizeof(err->msg), "%s: %s%s", path,
			 strerror(-rc),
			 rc == -EEXIST ? " (pass overwrite=True to replace it)" : "");
		*created = 0;
		return err->code = rc;
	}
	rc = pv_create_fd(fd, fmt, shape, nbytes, err);
	if (!rc)
		rc = vw_open_fd(v, fd, VW_RDWR, err);
	close(fd);
	if (rc && *created)
		unlink(path);
	return rc;
}

static PyObject *pv_create(PyObject *mod, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "path", "shape", "format", "overwrite",
				  NULL };
	PyObject *path = NULL, *shape, *res = NULL;
	const char *fmt = "B";
	char text[VW_MAXDIM * 21 + 1];
	ssize_t dims[VW_MAXDIM], nbytes;
	struct vw_error err = { 0 };
	struct vw_format f;
	struct vw_view v;
	int overwrite = 0, ndim, rc, created = 0;

	(void)mod;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&O|s$p:create", kwlist,
					 PyUnicode_FSConverter, &path, &shape,
					 &fmt, &overwrite))
		return NULL;
	if (pv_shape_text(shape, text, sizeof(text), &ndim))
		goto out;
	rc = vw_format_parse(fmt, &f, &err);
	if (!rc)
		rc = vw_shape_parse(text, dims, VW_MAXDIM, &err);
	if (rc < 0) {
		PyErr_Format(PyExc_ValueError, "create: %s", err.msg);
		goto out;
	}
	nbytes = (ssize_t)f.itemsize;
	rc = 0;
	for (int i = 0; i < ndim; i++)
		rc |= __builtin_mul_overflow(nbytes, dims[i], &nbytes);
	if (rc) {
		PyErr_Format(PyExc_ValueError,
			     "create: shape '%s' of format '%s' is too large",
			     text, fmt);
		goto out;
	}
	if (vw_meta_check(fmt, text, (uint64_t)nbytes, &err)) {
		PyErr_Format(PyExc_ValueError, "create: %s", err.msg);
		goto out;
	}
	/* the system calls without the GIL, as open() does: path is our
	 * own bytes object, err and v are on the stack */
	Py_BEGIN_ALLOW_THREADS
	rc = pv_create_file(PyBytes_AS_STRING(path), overwrite, fmt, text,
			    nbytes, &v, &created, &err);
	Py_END_ALLOW_THREADS
	if (rc) {
		pv_raise(PV_OP_OPEN, rc, &err);
		goto out;
	}
	res = pv_view_new(&v, NULL, NULL);	/* releases v on failure */
	if (!res && created)
		unlink(PyBytes_AS_STRING(path));	/* no file left behind */
out:
	Py_DECREF(path);
	return res;
}

static PyMethodDef pv_module_methods[] = {
	{ "open", (PyCFunction)(void (*)(void))pv_open,
	  METH_VARARGS | METH_KEYWORDS,
	  "open(path, writable=False, raw=False) -> View\n\n"
	  "Map the whole file or device node.  The view is typed by the file's\n"
	  "user.view.format / user.view.shape xattrs (viewfs) or the viewdev\n"
	  "node's sysfs attributes, else a 1-D 'B' view; raw=True ignores them." },
	{ "create", (PyCFunction)(void (*)(void))pv_create,
	  METH_VARARGS | METH_KEYWORDS,
	  "create(path, shape, format='B', *, overwrite=False) -> View\n\n"
	  "Create the file, size it to product(shape) * itemsize, set its\n"
	  "user.view.* metadata and map it writable.  An existing file is an\n"
	  "error (FileExistsError) unless overwrite=True." },
	{ NULL, NULL, 0, NULL }
};

static struct PyModuleDef pv_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "libview",
	.m_doc = "Typed, zero-copy views over shared buffers (libview).\n\n"
		 "A View is a memoryview-like strided view of a mapping that\n"
		 "exports the buffer protocol and DLPack.",
	.m_size = -1,
	.m_methods = pv_module_methods,
};

PyMODINIT_FUNC PyInit_libview(void)
{
	PyObject *m;

	if (PyType_Ready(&PvView_Type) < 0 || PyType_Ready(&PvIter_Type) < 0 ||
	    PyType_Ready(&PvExporter_Type) < 0)
		return NULL;
	m = PyModule_Create(&pv_module);
	if (!m)
		return NULL;
	if (PyModule_AddObjectRef(m, "View", (PyObject *)&PvView_Type) < 0 ||
	    PyModule_AddIntConstant(m, "MAXDIM", VW_MAXDIM) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
