using System.Runtime.InteropServices;

namespace PyHosting.Internal.Interop;

/// <summary>
/// The part of the CPython 3.11 C API that the runtime calls: the whole embedding goes through these
/// function pointers (start-up and finalisation, the audit hook, the bridge, conversion). Resolved once from the loaded library; the process has
/// one interpreter, so these are process-wide.
/// </summary>
internal static unsafe partial class LibPython
{
    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;

    public static nint Handle { get; private set; }

    public static string? LoadedPath { get; private set; }

    // Lifecycle, before and after initialisation.
    public static delegate* unmanaged<int> Py_IsInitialized;
    public static delegate* unmanaged<int, void> Py_InitializeEx;
    public static delegate* unmanaged<int> Py_FinalizeEx;
    public static delegate* unmanaged<nint, void> Py_SetPythonHome;
    public static delegate* unmanaged<nint, void> Py_SetProgramName;
    public static delegate* unmanaged<delegate* unmanaged<nint, nint, nint, int>, nint, int> PySys_AddAuditHook;
    public static delegate* unmanaged<delegate* unmanaged<nint, nint, nint>, nint, int> PyFile_SetOpenCodeHook;

    // Memory allocators (PyMemAllocatorDomain, PyMemAllocatorEx*), before initialisation.
    public static delegate* unmanaged<int, PyMemAllocatorEx*, void> PyMem_GetAllocator;
    public static delegate* unmanaged<int, PyMemAllocatorEx*, void> PyMem_SetAllocator;
    public static delegate* unmanaged<PyObjectArenaAllocator*, void> PyObject_GetArenaAllocator;
    public static delegate* unmanaged<PyObjectArenaAllocator*, void> PyObject_SetArenaAllocator;

    // GIL.
    public static delegate* unmanaged<int> PyGILState_Ensure;
    public static delegate* unmanaged<int, void> PyGILState_Release;
    public static delegate* unmanaged<nint> PyEval_SaveThread;
    public static delegate* unmanaged<nint, void> PyEval_RestoreThread;
    public static delegate* unmanaged<int> PyGILState_Check;
    public static delegate* unmanaged<ulong, nint, int> PyThreadState_SetAsyncExc;
    public static delegate* unmanaged<ulong> PyThread_get_thread_ident;

    // Reference counting and errors.
    public static delegate* unmanaged<nint, void> Py_IncRef;
    public static delegate* unmanaged<nint, void> Py_DecRef;
    public static delegate* unmanaged<nint, byte*, void> PyErr_SetString;
    public static delegate* unmanaged<nint, nint, void> PyErr_SetObject;
    public static delegate* unmanaged<nint> PyErr_Occurred;
    public static delegate* unmanaged<nint, byte*, nint, int> PyErr_WarnEx;
    public static delegate* unmanaged<void> PyErr_Clear;
    public static delegate* unmanaged<nint, nint, int> PyErr_GivenExceptionMatches;
    public static delegate* unmanaged<nint*, nint*, nint*, void> PyErr_Fetch;
    public static delegate* unmanaged<nint*, nint*, nint*, void> PyErr_NormalizeException;
    public static delegate* unmanaged<nint, nint, nint, void> PyErr_Restore;

    // Numbers.
    public static delegate* unmanaged<long, nint> PyLong_FromLongLong;
    public static delegate* unmanaged<ulong, nint> PyLong_FromUnsignedLongLong;
    public static delegate* unmanaged<nint, long> PyLong_AsLongLong;
    public static delegate* unmanaged<nint, int*, long> PyLong_AsLongLongAndOverflow;
    public static delegate* unmanaged<double, nint> PyFloat_FromDouble;
    public static delegate* unmanaged<nint, double> PyFloat_AsDouble;
    public static delegate* unmanaged<nint, int> PyObject_IsTrue;
    public static delegate* unmanaged<nint, nint> PyNumber_Index;

    // Strings and bytes.
    public static delegate* unmanaged<byte*, nint, byte*, nint> PyUnicode_DecodeUTF8;
    public static delegate* unmanaged<nint*, void> PyUnicode_InternInPlace;
    public static delegate* unmanaged<nint, nint*, byte*> PyUnicode_AsUTF8AndSize;
    public static delegate* unmanaged<nint, byte*, byte*, nint> PyUnicode_AsEncodedString;
    public static delegate* unmanaged<byte*, nint, nint> PyBytes_FromStringAndSize;
    public static delegate* unmanaged<nint, byte**, nint*, int> PyBytes_AsStringAndSize;
    public static delegate* unmanaged<nint, nint> PyOS_FSPath;

    // Containers.
    public static delegate* unmanaged<nint, nint> PyTuple_New;
    public static delegate* unmanaged<nint, nint, nint, int> PyTuple_SetItem;
    public static delegate* unmanaged<nint, nint> PyList_New;
    public static delegate* unmanaged<nint, nint, int> PyList_Append;
    public static delegate* unmanaged<nint> PyDict_New;
    public static delegate* unmanaged<nint, nint, nint, int> PyDict_SetItem;
    public static delegate* unmanaged<nint, byte*, nint, int> PyDict_SetItemString;
    public static delegate* unmanaged<nint, byte*, nint> PyDict_GetItemString;
    public static delegate* unmanaged<nint, nint, int> PyDict_DelItem;
    public static delegate* unmanaged<nint, nint*, nint*, nint*, int> PyDict_Next;

    // Objects, calls, modules.
    public static delegate* unmanaged<nint, byte*, nint> PyObject_GetAttrString;
    public static delegate* unmanaged<nint, nint, nint> PyObject_GetAttr;
    public static delegate* unmanaged<nint, byte*, nint, int> PyObject_SetAttrString;
    public static delegate* unmanaged<nint, byte*, int> PyObject_HasAttrString;
    public static delegate* unmanaged<nint, nint, nint, nint> PyObject_Call;
    public static delegate* unmanaged<nint, nint> PyObject_CallNoArgs;
    public static delegate* unmanaged<nint, nint> PyObject_Str;
    public static delegate* unmanaged<nint, nint> PyObject_Dir;
    public static delegate* unmanaged<nint, int> PyCallable_Check;
    public static delegate* unmanaged<nint, nint, nint, nint> PyCFunction_NewEx;
    public static delegate* unmanaged<byte*, nint> PyImport_ImportModule;
    public static delegate* unmanaged<nint, nint> PyImport_GetModule;
    public static delegate* unmanaged<int> Py_GetRecursionLimit;
    public static delegate* unmanaged<nint, nint> PyModule_GetDict;
    public static delegate* unmanaged<nint, void> PyType_Modified;
    public static delegate* unmanaged<nint, nint> PyInstanceMethod_New;
    public static delegate* unmanaged<nint, nint> PyClassMethod_New;
    public static delegate* unmanaged<nint> PyImport_GetModuleDict;
    public static delegate* unmanaged<byte*, nint> PySys_GetObject;
    public static delegate* unmanaged<byte*, byte*, int, nint> Py_CompileString;
    public static delegate* unmanaged<nint, nint, nint, nint> PyEval_EvalCode;
    public static delegate* unmanaged<byte*, nint> PyModule_New;
    public static delegate* unmanaged<byte*, nint> PyImport_AddModule;
    public static delegate* unmanaged<nint, nint> PyObject_GetIter;
    public static delegate* unmanaged<nint, nint> PyIter_Next;
    public static delegate* unmanaged<nint, nint> PyObject_Type;
    public static delegate* unmanaged<nint, nint, int> PyObject_IsInstance;
    public static delegate* unmanaged<void> PyGC_Collect;
    public static delegate* unmanaged<nint, nint, int, int> PyObject_GetBuffer;
    public static delegate* unmanaged<nint, void> PyBuffer_Release;
    public static delegate* unmanaged<nint> PyContext_New;
    public static delegate* unmanaged<nint, void> PyThreadState_Clear;
    public static delegate* unmanaged<nint, void> PyThreadState_Delete;
    public static delegate* unmanaged<nint, int> PyContext_Enter;
    public static delegate* unmanaged<nint, int> PyContext_Exit;
    public static delegate* unmanaged<nint> PyThreadState_GetDict;
    public static delegate* unmanaged<nint, void> PyDict_Clear;
    public static delegate* unmanaged<nint, nint> PyDict_Size;

    // Exported data: singletons, types and exception classes (addresses of the objects or of the pointer variables).
    public static nint None;
    public static nint True;
    public static nint False;
    public static nint LongType;
    public static nint FloatType;
    public static nint BoolType;
    public static nint UnicodeType;
    public static nint BytesType;
    public static nint ByteArrayType;
    public static nint TupleType;
    public static nint ListType;
    public static nint DictType;

    public static nint ExcOSError;
    public static nint ExcPermissionError;
    public static nint ExcTypeError;
    public static nint ExcValueError;
    public static nint ExcNotImplementedError;
    public static nint ExcImportError;
    public static nint ExcKeyboardInterrupt;
    public static nint ExcSystemExit;
    public static nint ExcRuntimeError;
    public static nint ExcMemoryError;
    public static nint ExcOverflowError;

    public static bool IsLoaded => Handle != 0;

    /// <summary>Loads the library with <c>RTLD_GLOBAL</c>, so that extension modules resolve their symbols against it, and resolves the API.</summary>
    /// <param name="path">The shared library's path.</param>
    /// <param name="source">Where the path came from (a configuration key, for example), named in errors.</param>
    /// <exception cref="PythonStartupException">The file cannot be loaded, or is not a CPython 3.11 shared library.</exception>
    public static void Load(string path, string source)
    {
        if (Handle != 0)
        {
            if (!string.Equals(path, LoadedPath, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The Python library '{LoadedPath}' is already loaded in this process; '{path}' cannot be loaded as well.");
            }

            return;
        }

        var handle = dlopen(path, RtldNow | RtldGlobal);
        if (handle == 0)
        {
            var error = Marshal.PtrToStringUTF8(dlerror()) ?? "unknown error";
            throw new PythonStartupException(
                $"{source} '{path}' cannot be loaded as a shared library ({error}). Set it to a CPython {PythonInstallation.Version} shared library (libpython{PythonInstallation.Version}.so.1.0), or remove it to detect one.");
        }

        // Before resolving a hundred entry points: a file that is some other library, or another CPython, is named as such.
        var version = NativeLibrary.TryGetExport(handle, "Py_GetVersion", out var getVersion)
            ? Marshal.PtrToStringUTF8(((delegate* unmanaged<nint>)getVersion)())
            : null;
        if (version is null || !version.StartsWith(PythonInstallation.Version + ".", StringComparison.Ordinal))
        {
            dlclose(handle);
            throw new PythonStartupException(version is null
                ? $"{source} '{path}' is not a CPython shared library (it has no Py_GetVersion). Set it to a CPython {PythonInstallation.Version} shared library (libpython{PythonInstallation.Version}.so.1.0), or remove it to detect one."
                : $"{source} '{path}' is CPython {version.Split(' ')[0]}, not {PythonInstallation.Version}. Set it to a CPython {PythonInstallation.Version} shared library (libpython{PythonInstallation.Version}.so.1.0), or remove it to detect one.");
        }

        Resolve(handle);
        Handle = handle;
        LoadedPath = path;
    }

    public static nint Export(string name) => NativeLibrary.GetExport(Handle == 0 ? throw new InvalidOperationException("The Python library is not loaded.") : Handle, name);

    /// <summary>Reads a <c>PyObject*</c> stored in an exported variable (the <c>PyExc_*</c> classes).</summary>
    private static nint ExportedPointer(nint handle, string name) => *(nint*)NativeLibrary.GetExport(handle, name);

    private static void Resolve(nint h)
    {
        nint E(string n) => NativeLibrary.GetExport(h, n);

        Py_IsInitialized = (delegate* unmanaged<int>)E("Py_IsInitialized");
        Py_InitializeEx = (delegate* unmanaged<int, void>)E("Py_InitializeEx");
        Py_FinalizeEx = (delegate* unmanaged<int>)E("Py_FinalizeEx");
        Py_SetPythonHome = (delegate* unmanaged<nint, void>)E("Py_SetPythonHome");
        Py_SetProgramName = (delegate* unmanaged<nint, void>)E("Py_SetProgramName");
        PySys_AddAuditHook = (delegate* unmanaged<delegate* unmanaged<nint, nint, nint, int>, nint, int>)E("PySys_AddAuditHook");
        PyFile_SetOpenCodeHook = (delegate* unmanaged<delegate* unmanaged<nint, nint, nint>, nint, int>)E("PyFile_SetOpenCodeHook");
        PyMem_GetAllocator = (delegate* unmanaged<int, PyMemAllocatorEx*, void>)E("PyMem_GetAllocator");
        PyMem_SetAllocator = (delegate* unmanaged<int, PyMemAllocatorEx*, void>)E("PyMem_SetAllocator");
        PyObject_GetArenaAllocator = (delegate* unmanaged<PyObjectArenaAllocator*, void>)E("PyObject_GetArenaAllocator");
        PyObject_SetArenaAllocator = (delegate* unmanaged<PyObjectArenaAllocator*, void>)E("PyObject_SetArenaAllocator");

        PyGILState_Ensure = (delegate* unmanaged<int>)E("PyGILState_Ensure");
        PyGILState_Release = (delegate* unmanaged<int, void>)E("PyGILState_Release");
        PyGILState_Check = (delegate* unmanaged<int>)E("PyGILState_Check");
        PyEval_SaveThread = (delegate* unmanaged<nint>)E("PyEval_SaveThread");
        PyEval_RestoreThread = (delegate* unmanaged<nint, void>)E("PyEval_RestoreThread");
        PyThreadState_SetAsyncExc = (delegate* unmanaged<ulong, nint, int>)E("PyThreadState_SetAsyncExc");
        PyThread_get_thread_ident = (delegate* unmanaged<ulong>)E("PyThread_get_thread_ident");

        Py_IncRef = (delegate* unmanaged<nint, void>)E("Py_IncRef");
        Py_DecRef = (delegate* unmanaged<nint, void>)E("Py_DecRef");
        PyErr_SetString = (delegate* unmanaged<nint, byte*, void>)E("PyErr_SetString");
        PyErr_SetObject = (delegate* unmanaged<nint, nint, void>)E("PyErr_SetObject");
        PyErr_Occurred = (delegate* unmanaged<nint>)E("PyErr_Occurred");
        PyErr_WarnEx = (delegate* unmanaged<nint, byte*, nint, int>)E("PyErr_WarnEx");
        PyErr_Clear = (delegate* unmanaged<void>)E("PyErr_Clear");
        PyErr_GivenExceptionMatches = (delegate* unmanaged<nint, nint, int>)E("PyErr_GivenExceptionMatches");
        PyErr_Fetch = (delegate* unmanaged<nint*, nint*, nint*, void>)E("PyErr_Fetch");
        PyErr_NormalizeException = (delegate* unmanaged<nint*, nint*, nint*, void>)E("PyErr_NormalizeException");
        PyErr_Restore = (delegate* unmanaged<nint, nint, nint, void>)E("PyErr_Restore");

        PyLong_FromLongLong = (delegate* unmanaged<long, nint>)E("PyLong_FromLongLong");
        PyLong_FromUnsignedLongLong = (delegate* unmanaged<ulong, nint>)E("PyLong_FromUnsignedLongLong");
        PyLong_AsLongLong = (delegate* unmanaged<nint, long>)E("PyLong_AsLongLong");
        PyLong_AsLongLongAndOverflow = (delegate* unmanaged<nint, int*, long>)E("PyLong_AsLongLongAndOverflow");
        PyFloat_FromDouble = (delegate* unmanaged<double, nint>)E("PyFloat_FromDouble");
        PyFloat_AsDouble = (delegate* unmanaged<nint, double>)E("PyFloat_AsDouble");
        PyObject_IsTrue = (delegate* unmanaged<nint, int>)E("PyObject_IsTrue");
        PyNumber_Index = (delegate* unmanaged<nint, nint>)E("PyNumber_Index");

        PyUnicode_DecodeUTF8 = (delegate* unmanaged<byte*, nint, byte*, nint>)E("PyUnicode_DecodeUTF8");
        PyUnicode_InternInPlace = (delegate* unmanaged<nint*, void>)E("PyUnicode_InternInPlace");
        PyUnicode_AsUTF8AndSize = (delegate* unmanaged<nint, nint*, byte*>)E("PyUnicode_AsUTF8AndSize");
        PyUnicode_AsEncodedString = (delegate* unmanaged<nint, byte*, byte*, nint>)E("PyUnicode_AsEncodedString");
        PyBytes_FromStringAndSize = (delegate* unmanaged<byte*, nint, nint>)E("PyBytes_FromStringAndSize");
        PyBytes_AsStringAndSize = (delegate* unmanaged<nint, byte**, nint*, int>)E("PyBytes_AsStringAndSize");
        PyOS_FSPath = (delegate* unmanaged<nint, nint>)E("PyOS_FSPath");

        PyTuple_New = (delegate* unmanaged<nint, nint>)E("PyTuple_New");
        PyTuple_SetItem = (delegate* unmanaged<nint, nint, nint, int>)E("PyTuple_SetItem");
        PyList_New = (delegate* unmanaged<nint, nint>)E("PyList_New");
        PyList_Append = (delegate* unmanaged<nint, nint, int>)E("PyList_Append");
        PyDict_New = (delegate* unmanaged<nint>)E("PyDict_New");
        PyDict_SetItem = (delegate* unmanaged<nint, nint, nint, int>)E("PyDict_SetItem");
        PyDict_SetItemString = (delegate* unmanaged<nint, byte*, nint, int>)E("PyDict_SetItemString");
        PyDict_GetItemString = (delegate* unmanaged<nint, byte*, nint>)E("PyDict_GetItemString");
        PyDict_DelItem = (delegate* unmanaged<nint, nint, int>)E("PyDict_DelItem");
        PyDict_Next = (delegate* unmanaged<nint, nint*, nint*, nint*, int>)E("PyDict_Next");

        PyObject_GetAttrString = (delegate* unmanaged<nint, byte*, nint>)E("PyObject_GetAttrString");
        PyObject_GetAttr = (delegate* unmanaged<nint, nint, nint>)E("PyObject_GetAttr");
        PyObject_SetAttrString = (delegate* unmanaged<nint, byte*, nint, int>)E("PyObject_SetAttrString");
        PyObject_HasAttrString = (delegate* unmanaged<nint, byte*, int>)E("PyObject_HasAttrString");
        PyObject_Call = (delegate* unmanaged<nint, nint, nint, nint>)E("PyObject_Call");
        PyObject_CallNoArgs = (delegate* unmanaged<nint, nint>)E("PyObject_CallNoArgs");
        PyObject_Str = (delegate* unmanaged<nint, nint>)E("PyObject_Str");
        PyObject_Dir = (delegate* unmanaged<nint, nint>)E("PyObject_Dir");
        PyCallable_Check = (delegate* unmanaged<nint, int>)E("PyCallable_Check");
        PyCFunction_NewEx = (delegate* unmanaged<nint, nint, nint, nint>)E("PyCFunction_NewEx");
        PyImport_ImportModule = (delegate* unmanaged<byte*, nint>)E("PyImport_ImportModule");
        PyImport_GetModule = (delegate* unmanaged<nint, nint>)E("PyImport_GetModule");
        Py_GetRecursionLimit = (delegate* unmanaged<int>)E("Py_GetRecursionLimit");
        PyModule_GetDict = (delegate* unmanaged<nint, nint>)E("PyModule_GetDict");
        PyType_Modified = (delegate* unmanaged<nint, void>)E("PyType_Modified");
        PyInstanceMethod_New = (delegate* unmanaged<nint, nint>)E("PyInstanceMethod_New");
        PyClassMethod_New = (delegate* unmanaged<nint, nint>)E("PyClassMethod_New");
        PyImport_GetModuleDict = (delegate* unmanaged<nint>)E("PyImport_GetModuleDict");
        PySys_GetObject = (delegate* unmanaged<byte*, nint>)E("PySys_GetObject");
        Py_CompileString = (delegate* unmanaged<byte*, byte*, int, nint>)E("Py_CompileString");
        PyEval_EvalCode = (delegate* unmanaged<nint, nint, nint, nint>)E("PyEval_EvalCode");
        PyModule_New = (delegate* unmanaged<byte*, nint>)E("PyModule_New");
        PyImport_AddModule = (delegate* unmanaged<byte*, nint>)E("PyImport_AddModule");
        PyObject_GetIter = (delegate* unmanaged<nint, nint>)E("PyObject_GetIter");
        PyIter_Next = (delegate* unmanaged<nint, nint>)E("PyIter_Next");
        PyObject_Type = (delegate* unmanaged<nint, nint>)E("PyObject_Type");
        PyObject_IsInstance = (delegate* unmanaged<nint, nint, int>)E("PyObject_IsInstance");
        PyGC_Collect = (delegate* unmanaged<void>)E("PyGC_Collect");
        PyObject_GetBuffer = (delegate* unmanaged<nint, nint, int, int>)E("PyObject_GetBuffer");
        PyBuffer_Release = (delegate* unmanaged<nint, void>)E("PyBuffer_Release");
        PyContext_New = (delegate* unmanaged<nint>)E("PyContext_New");
        PyThreadState_Clear = (delegate* unmanaged<nint, void>)E("PyThreadState_Clear");
        PyThreadState_Delete = (delegate* unmanaged<nint, void>)E("PyThreadState_Delete");
        PyContext_Enter = (delegate* unmanaged<nint, int>)E("PyContext_Enter");
        PyContext_Exit = (delegate* unmanaged<nint, int>)E("PyContext_Exit");
        PyThreadState_GetDict = (delegate* unmanaged<nint>)E("PyThreadState_GetDict");
        PyDict_Clear = (delegate* unmanaged<nint, void>)E("PyDict_Clear");
        PyDict_Size = (delegate* unmanaged<nint, nint>)E("PyDict_Size");

        None = E("_Py_NoneStruct");
        True = E("_Py_TrueStruct");
        False = E("_Py_FalseStruct");
        LongType = E("PyLong_Type");
        FloatType = E("PyFloat_Type");
        BoolType = E("PyBool_Type");
        UnicodeType = E("PyUnicode_Type");
        BytesType = E("PyBytes_Type");
        ByteArrayType = E("PyByteArray_Type");
        TupleType = E("PyTuple_Type");
        ListType = E("PyList_Type");
        DictType = E("PyDict_Type");

        ExcOSError = ExportedPointer(h, "PyExc_OSError");
        ExcPermissionError = ExportedPointer(h, "PyExc_PermissionError");
        ExcTypeError = ExportedPointer(h, "PyExc_TypeError");
        ExcValueError = ExportedPointer(h, "PyExc_ValueError");
        ExcNotImplementedError = ExportedPointer(h, "PyExc_NotImplementedError");
        ExcImportError = ExportedPointer(h, "PyExc_ImportError");
        ExcKeyboardInterrupt = ExportedPointer(h, "PyExc_KeyboardInterrupt");
        ExcSystemExit = ExportedPointer(h, "PyExc_SystemExit");
        ExcRuntimeError = ExportedPointer(h, "PyExc_RuntimeError");
        ExcMemoryError = ExportedPointer(h, "PyExc_MemoryError");
        ExcOverflowError = ExportedPointer(h, "PyExc_OverflowError");
    }

    /// <summary>Sets an exported <c>int</c> variable (the legacy <c>Py_*Flag</c> configuration, read at initialisation).</summary>
    public static void SetIntVariable(string name, int value) => *(int*)Export(name) = value;

    /// <summary>Reads an exported <c>int</c> variable.</summary>
    public static int GetIntVariable(string name) => *(int*)Export(name);

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string file, int mode);

    [LibraryImport("libc", EntryPoint = "dlerror")]
    private static partial nint dlerror();

    [LibraryImport("libc", EntryPoint = "dlclose")]
    private static partial int dlclose(nint handle);
}
