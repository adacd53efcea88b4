/* SPDX-License-Identifier: MIT */
/*
 * Conversions between Python objects and libview's values: one element
 * (struct vw_value) each way with memoryview's type rules, a right-hand
 * side of `v[key] = value` as a struct vw_literal tree (so assignment
 * follows vw_assign, the rules `view set` uses), and the NumPy dtype
 * string that means the same bytes as a format.
 */
#include "pyview.h"
#include <math.h>

PyObject *pv_value_to_py(const struct vw_value *val)
{
	switch (val->type) {
	case VW_V_INT:
		return PyLong_FromLongLong(val->i);
	case VW_V_UINT:
		return PyLong_FromUnsignedLongLong(val->u);
	case VW_V_FLOAT:
		return PyFloat_FromDouble(val->d);
	case VW_V_BOOL:
		return PyBool_FromLong(val->i != 0);
	case VW_V_BYTES:
		return PyBytes_FromStringAndSize((const char *)val->bytes,
						 (Py_ssize_t)val->nbytes);
	case VW_V_BIGINT:
		break;		/* vw_unpack never makes one */
	}
	PyErr_SetString(PyExc_SystemError, "libview: unexpected value type");
	return NULL;
}

/* An int (or any object with __index__) as the widest vw_value that holds
 * it: INT, UINT, or BIGINT (sign and value rounded to double). */
static int pv_int_value(PyObject *o, struct vw_value *out)
{
	PyObject *n = PyNumber_Index(o);
	int overflow = 0;
	long long i;

	if (!n)
		return -1;
	i = PyLong_AsLongLongAndOverflow(n, &overflow);
	if (i == -1 && PyErr_Occurred())
		goto fail;
	if (!overflow) {
		out->type = VW_V_INT;
		out->i = i;
		goto done;
	}
	if (overflow > 0) {
		unsigned long long u = PyLong_AsUnsignedLongLong(n);

		if (!PyErr_Occurred()) {
			out->type = VW_V_UINT;
			out->u = u;
			goto done;
		}
		PyErr_Clear();
	}
	out->type = VW_V_BIGINT;
	out->i = overflow < 0 ? -1 : 1;
	out->d = PyLong_AsDouble(n);
	if (out->d == -1.0 && PyErr_Occurred()) {
		PyErr_Clear();
		out->d = overflow < 0 ? -INFINITY : INFINITY;
	}
done:
	Py_DECREF(n);
	return 0;
fail:
	Py_DECREF(n);
	return -1;
}

/* One Python object as a vw_value, without knowing the target format. */
static int pv_scalar(PyObject *o, struct vw_value *out,
		     const struct vw_view *v)
{
	const char *code = v->format;

	memset(out, 0, sizeof(*out));
	if (PyBool_Check(o)) {
		out->type = VW_V_BOOL;
		out->i = o == Py_True;
		return 0;
	}
	if (PyLong_Check(o) || (!PyFloat_Check(o) && PyIndex_Check(o)))
		return pv_int_value(o, out);
	if (PyFloat_Check(o)) {
		out->type = VW_V_FLOAT;
		out->d = PyFloat_AS_DOUBLE(o);
		return 0;
	}
	if (PyBytes_Check(o)) {
		Py_ssize_t n = PyBytes_GET_SIZE(o);

		if (n > 8) {
			/* as memoryview: a wrong length for 'c' is a bad
			 * value, bytes for any other format a bad type */
			if (v->fmt.kind == VW_K_CHAR)
				PyErr_Format(PyExc_ValueError,
					     "invalid value for format '%s': bytes of length %zd (expected 1)",
					     code, n);
			else
				PyErr_Format(PyExc_TypeError,
					     "invalid type for format '%s': bytes",
					     code);
			return -1;
		}
		out->type = VW_V_BYTES;
		out->nbytes = (size_t)n;
		memcpy(out->bytes, PyBytes_AS_STRING(o), (size_t)n);
		return 0;
	}
	if (PyObject_HasAttrString(o, "__float__")) {
		out->type = VW_V_FLOAT;
		out->d = PyFloat_AsDouble(o);
		return out->d == -1.0 && PyErr_Occurred() ? -1 : 0;
	}
	PyErr_Format(PyExc_TypeError,
		     "invalid type for format '%s': %s", code,
		     Py_TYPE(o)->tp_name);
	return -1;
}

int pv_value_from_py(PyObject *o, const struct vw_view *v,
		     struct vw_value *out)
{
	if (v->fmt.kind == VW_K_BOOL) {
		/* memoryview stores the truth value of anything into '?' */
		int t = PyObject_IsTrue(o);

		if (t < 0)
			return -1;
		memset(out, 0, sizeof(*out));
		out->type = VW_V_BOOL;
		out->i = t;
		return 0;
	}
	return pv_scalar(o, out, v);
}

int pv_literal_from_py(PyObject *o, const struct vw_view *v,
		       struct vw_literal *out, int depth)
{
	memset(out, 0, sizeof(*out));
	if (depth > VW_MAXDIM) {
		PyErr_SetString(PyExc_ValueError,
				"value is nested deeper than any view");
		return -1;
	}
	if (PyList_Check(o) || PyTuple_Check(o)) {
		/* a snapshot: converting an item runs Python code
		 * (__index__, __float__, __bool__) that may mutate a list */
		PyObject *seq = PySequence_Tuple(o);
		Py_ssize_t n;

		if (!seq)
			return -1;
		n = PyTuple_GET_SIZE(seq);
		out->is_list = 1;
		out->items = calloc(n ? (size_t)n : 1, sizeof(*out->items));
		if (!out->items) {
			Py_DECREF(seq);
			PyErr_NoMemory();
			return -1;
		}
		for (Py_ssize_t i = 0; i < n; i++) {
			/* nitems counts the items that vw_literal_free frees */
			out->nitems = (size_t)i + 1;
			if (pv_literal_from_py(PyTuple_GET_ITEM(seq, i),
					       v, &out->items[i], depth + 1)) {
				Py_DECREF(seq);
				vw_literal_free(out);
				return -1;
			}
		}
		out->nitems = (size_t)n;
		Py_DECREF(seq);
		return 0;
	}
	if (PyBytes_Check(o)) {
		Py_ssize_t n = PyBytes_GET_SIZE(o);
		size_t keep = n < 8 ? (size_t)n : 8;

		out->data = malloc(n ? (size_t)n : 1);
		if (!out->data) {
			PyErr_NoMemory();
			return -1;
		}
		memcpy(out->data, PyBytes_AS_STRING(o), (size_t)n);
		out->ndata = (size_t)n;
		out->value.type = VW_V_BYTES;
		out->value.nbytes = keep;
		memcpy(out->value.bytes, out->data, keep);
		return 0;
	}
	return pv_value_from_py(o, v, &out->value);
}

PyObject *pv_tuple_snapshot(PyObject *o, const char *msg)
{
	PyObject *fast = PySequence_Fast(o, msg), *t;

	if (!fast)
		return NULL;
	t = PySequence_Tuple(fast);	/* a list is copied, no Python code */
	Py_DECREF(fast);
	return t;
}

void pv_dtype_str(const struct vw_format *f, char *out, size_t n)
{
	char order, kind;

	switch (f->kind) {
	case VW_K_INT:
		kind = 'i';
		break;
	case VW_K_UINT:
		kind = 'u';
		break;
	case VW_K_FLOAT:
		kind = 'f';
		break;
	case VW_K_BOOL:
		kind = 'b';
		break;
	default:
		kind = 'S';	/* 'c': one byte of a bytes object */
		break;
	}
	if (f->itemsize == 1)
		order = '|';
	else if (f->order == '<')
		order = '<';
	else if (f->order == '>' || f->order == '!')
		order = '>';
	else
		order = '=';	/* '@', '=' or no prefix: this machine's */
	snprintf(out, n, "%c%c%zu", order, kind, f->itemsize);
}
