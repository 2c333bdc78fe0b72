namespace PyHosting.Compatibility;

/// <summary>The test modules the runner covers by default, grouped by area of the standard library.</summary>
public static class Modules
{
    /// <summary>Gets the areas and their modules (names under CPython's <c>test</c> package).</summary>
    public static IReadOnlyList<(string Area, string[] Modules)> Default { get; } =
    [
        ("asyncio", ["test_asyncio.test_base_events", "test_asyncio.test_events", "test_asyncio.test_futures", "test_asyncio.test_locks",
            "test_asyncio.test_queues", "test_asyncio.test_runners", "test_asyncio.test_streams", "test_asyncio.test_subprocess",
            "test_asyncio.test_taskgroups", "test_asyncio.test_tasks", "test_asyncio.test_timeouts", "test_asyncio.test_selector_events",
            "test_asyncio.test_unix_events"]),
        ("data formats", ["test_json", "test_csv", "test_tomllib", "test_configparser", "test_base64", "test_struct", "test_pickle",
            "test_shelve", "test_dbm", "test_dbm_dumb", "test_sqlite3"]),
        ("markup and mail", ["test_xml_etree", "test_xml_etree_c", "test_minidom", "test_sax", "test_pyexpat", "test_html", "test_htmlparser",
            "test_email", "test_mailbox", "test_urlparse"]),
        ("text", ["test_re", "test_fnmatch", "test_textwrap", "test_string"]),
        ("dates and time", ["test_datetime", "test_zoneinfo", "test_time", "test_calendar", "test_locale", "test_sched"]),
        ("compression and archives", ["test_zlib", "test_gzip", "test_bz2", "test_lzma", "test_zipfile", "test_tarfile"]),
        ("files and the OS", ["test_fileio", "test_io", "test_os", "test_stat", "test_posixpath", "test_genericpath", "test_filecmp",
            "test_fileinput", "test_tempfile", "test_shutil", "test_pathlib", "test_glob", "test_linecache", "test_platform", "test_fcntl"]),
        ("concurrency and processes", ["test_threading", "test_queue", "test_subprocess", "test_selectors", "test_select", "test_poll", "test_epoll", "test_signal"]),
        ("import and code", ["test_importlib", "test_runpy", "test_compileall", "test_py_compile", "test_inspect", "test_traceback",
            "test_warnings"]),
        ("language support", ["test_dataclasses", "test_enum", "test_functools", "test_statistics", "test_random", "test_hashlib",
            "test_uuid", "test_logging", "test_argparse"]),
        ("testing", ["test_unittest", "test_doctest"]),
        ("sockets", ["test_socket"]),
    ];

    /// <summary>Gets every default module, in order.</summary>
    public static IEnumerable<string> All => Default.SelectMany(static a => a.Modules);

    /// <summary>Gets the area of a module, or <c>other</c>.</summary>
    /// <param name="module">The module.</param>
    /// <returns>The area.</returns>
    public static string AreaOf(string module) =>
        Default.FirstOrDefault(a => a.Modules.Contains(module)).Area ?? "other";
}
