// The runtime under test embeds Debian's libpython and runs on Linux.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
