using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>Code under <c>PythonRuntime:ModulePaths</c> is imported through the provider; <c>/app</c> exists only in memory.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class ImportTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task AModuleInMemory_IsImported()
    {
        var result = await fixture.RunAsync<string>("""
            import appmod
            return repr([appmod.GREETING, appmod.double(21), appmod.__file__])
            """);

        Assert.Equal("['from appmod', 42, '/app/appmod.py']", result);
    }

    [Fact]
    public async Task APackageInMemory_IsImportedWithItsSubmodulesAndResources()
    {
        var result = await fixture.RunAsync<string>("""
            import apppkg, apppkg.util
            from importlib import resources
            return repr([apppkg.VERSION, apppkg.shout('hi'), apppkg.util.__file__, resources.files('apppkg').joinpath('data.txt').read_text()])
            """);

        Assert.Equal("['1.2', 'HI!', '/app/apppkg/util.py', 'package data\\n']", result);
    }

    [Fact]
    public async Task AModuleWrittenByPython_IsImportedAfterInvalidatingCaches()
    {
        var name = "gen_" + ManagedRuntimeFixture.Unique("m").Replace('-', '_');
        var value = await fixture.RunAsync<long>($$"""
            import importlib
            with open('/app/{{name}}.py', 'w') as f:
                f.write('VALUE = 7 * 6\n')
            importlib.invalidate_caches()
            return importlib.import_module('{{name}}').VALUE
            """);

        Assert.Equal(42, value);
        Assert.NotNull(fixture.App.GetStatus($"/{name}.py"));
    }

    [Fact]
    public async Task TheStandardLibrary_ComesFromTheReadOnlyPythonHome()
    {
        var result = await fixture.RunAsync<string>("""
            import json, sys
            return repr([json.__file__.startswith(sys.prefix + '/lib/python3'), '/app' in sys.path])
            """);

        Assert.Equal("[True, True]", result);
    }
}
