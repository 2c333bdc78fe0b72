/*
 * A tiny CPython extension built from source by the tests: two functions are enough to show that
 * native code was loaded and runs (an integer sum computed in C, a string built in C).
 * MODULE_NAME lets the same source be compiled as a package's submodule (-DMODULE_NAME=_speedups).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef MODULE_NAME
#define MODULE_NAME tinyext
#endif

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define CONCAT_(a, b) a##b
#define CONCAT(a, b) CONCAT_(a, b)

static PyObject *add(PyObject *self, PyObject *args)
{
    long long a, b;
    if (!PyArg_ParseTuple(args, "LL", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLongLong(a + b);
}

static PyObject *greet(PyObject *self, PyObject *args)
{
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name)) {
        return NULL;
    }
    return PyUnicode_FromFormat("hello from C, %s", name);
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "Adds two integers in C."},
    {"greet", greet, METH_VARARGS, "Returns a greeting built in C."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef definition = {
    PyModuleDef_HEAD_INIT, STRINGIFY(MODULE_NAME), "A tiny native extension.", -1, methods,
};

PyMODINIT_FUNC CONCAT(PyInit_, MODULE_NAME)(void)
{
    return PyModule_Create(&definition);
}
