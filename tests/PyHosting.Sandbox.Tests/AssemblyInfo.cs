// The suite reads /proc and calls the C library to observe the host process; it runs on Linux.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
