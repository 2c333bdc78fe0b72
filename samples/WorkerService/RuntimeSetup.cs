namespace PyHosting.Samples.WorkerService;

/// <summary>
/// The sample's code on top of the <c>PythonRuntime</c> section: it runs after the section is
/// bound and before the options are validated (code wins over configuration).
/// </summary>
internal static class RuntimeSetup
{
    /// <summary>Applies <c>Worker:Script</c>, prepares the Native backend when it is chosen, and creates the writable host folders.</summary>
    /// <param name="options">The bound options.</param>
    /// <param name="script">The value of <c>Worker:Script</c>, if any.</param>
    /// <param name="contentRoot">The directory relative host paths are relative to.</param>
    public static void Apply(PythonRuntimeOptions options, string? script, string contentRoot)
    {
        // --Worker:Script=<file>: the file's folder replaces the scripts mounted at /app. A missing
        // file is left to the worker's validation, which names Worker:Script.
        if (!string.IsNullOrWhiteSpace(script) && File.Exists(script))
        {
            var app = options.FileSystem.Mounts.FirstOrDefault(static m => m.Path == Worker.ScriptMount);
            if (app is null)
            {
                app = new PythonMountOptions { Path = Worker.ScriptMount };
                options.FileSystem.Mounts.Add(app);
            }

            app.HostPath = Path.GetDirectoryName(Path.GetFullPath(script));
            app.InMemory = false;
            app.ReadOnly = true;
            if (!options.ModulePaths.Contains(Worker.ScriptMount))
            {
                options.ModulePaths.Add(Worker.ScriptMount);
            }
        }

        // --PythonRuntime:Backend=Native: the Native backend is not sandboxed, and starts only with the permissions that say
        // so (IO=All, NativeAccess=true), granted here so that the one switch is enough. It opens host paths directly and
        // ignores the mounts, so the module paths (runtime paths such as /app) become the mounted host folders.
        if (options.Backend == PythonBackend.Native)
        {
            options.Permissions.IO = IOAccess.All;
            options.Permissions.NativeAccess = true;
            for (var i = 0; i < options.ModulePaths.Count; i++)
            {
                options.ModulePaths[i] = RuntimePaths.ForBackend(options, contentRoot, options.ModulePaths[i]);
            }
        }

        // Writable host mounts (the output folder) are created on the first run.
        foreach (var mount in options.FileSystem.Mounts)
        {
            if (!mount.InMemory && !mount.ReadOnly && !string.IsNullOrWhiteSpace(mount.HostPath))
            {
                Directory.CreateDirectory(Path.GetFullPath(mount.HostPath, contentRoot));
            }
        }
    }
}
