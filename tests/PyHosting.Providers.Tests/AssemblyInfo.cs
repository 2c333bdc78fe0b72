// The suite exercises POSIX behaviour (modes, symbolic links, signals, /proc) and runs on Linux.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
