// The suite reads /proc and calls the C library to observe the host process; it runs on Linux.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]

// The in-process checks compare this process's children, threads and descriptors before and after each
// script: the TestHost processes of the out-of-process tests must not start meanwhile.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
