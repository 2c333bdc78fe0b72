using System.Runtime.Versioning;

// The runtime embeds Debian's libpython3.11 and starts real POSIX processes.
[assembly: SupportedOSPlatform("linux")]
