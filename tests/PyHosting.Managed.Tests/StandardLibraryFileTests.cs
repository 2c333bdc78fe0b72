using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>The standard library's file modules, unchanged, over the providers.</summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class StandardLibraryFileTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task Pathlib_CreatesIteratesGlobsReadsAndRenames()
    {
        var name = ManagedRuntimeFixture.Unique("pl");
        var result = await fixture.RunAsync<string>($$"""
            from pathlib import Path
            root = Path('/data/{{name}}')
            (root / 'sub').mkdir(parents=True)
            (root / 'a.txt').write_text('alpha')
            (root / 'sub' / 'b.bin').write_bytes(b'beta')
            (root / 'gone').touch()
            (root / 'gone').unlink()
            moved = (root / 'a.txt').rename(root / 'c.txt')
            return repr([sorted(p.name for p in root.iterdir()), sorted(str(p.relative_to(root)) for p in root.rglob('*.*')),
                         moved.read_text(), (root / 'sub' / 'b.bin').read_bytes(), (root / 'c.txt').stat().st_size,
                         root.is_dir(), (root / 'gone').exists(), str(Path('x/../c.txt').resolve()), str(Path.home())])
            """);

        Assert.Equal("[['c.txt', 'sub'], ['c.txt', 'sub/b.bin'], 'alpha', b'beta', 5, True, False, '/c.txt', '/data']", result);
    }

    [Fact]
    public async Task Shutil_CopiesTreesMovesAcrossMountsAndRemovesTrees()
    {
        var name = ManagedRuntimeFixture.Unique("sh");
        var result = await fixture.RunAsync<string>($$"""
            import os, shutil
            src = '/tmp/{{name}}'
            os.makedirs(src + '/nested')
            open(src + '/one.txt', 'w').write('1')
            open(src + '/nested/two.txt', 'w').write('22')
            os.utime(src + '/one.txt', (100, 200))
            shutil.copy(src + '/one.txt', src + '/copy.txt')
            shutil.copy2(src + '/one.txt', src + '/copy2.txt')
            shutil.copytree(src, '/data/{{name}}')
            shutil.copytree(src, '/host/{{name}}')
            shutil.move('/data/{{name}}', '/data/{{name}}-moved')
            shutil.move('/data/{{name}}-moved', '/tmp/{{name}}-back')
            listing = sorted(os.path.relpath(os.path.join(d, f), '/tmp/{{name}}-back') for d, _, fs in os.walk('/tmp/{{name}}-back') for f in fs)
            shutil.rmtree(src)
            return repr([listing, os.stat('/tmp/{{name}}-back/copy2.txt').st_mtime, os.path.exists(src), os.path.exists('/data/{{name}}-moved')])
            """);

        Assert.Equal("[['copy.txt', 'copy2.txt', 'nested/two.txt', 'one.txt'], 200.0, False, False]", result);
        Assert.Equal("22", File.ReadAllText(Path.Combine(fixture.HostDirectory, name, "nested", "two.txt")));
    }

    [Fact]
    public async Task Glob_MatchesPatternsAndRecursion()
    {
        var name = ManagedRuntimeFixture.Unique("glob");
        var result = await fixture.RunAsync<string>($$"""
            import glob, os
            d = '/data/{{name}}'
            os.makedirs(d + '/x/y')
            for p in ('a.py', 'b.txt', 'x/c.py', 'x/y/d.py'):
                open(f'{d}/{p}', 'w').close()
            return repr([sorted(glob.glob(d + '/*.py')), sorted(glob.glob(d + '/**/*.py', recursive=True)), sorted(glob.iglob('*.txt', root_dir=d))])
            """);

        var d = $"/data/{name}";
        Assert.Equal($"[['{d}/a.py'], ['{d}/a.py', '{d}/x/c.py', '{d}/x/y/d.py'], ['b.txt']]", result);
    }

    [Fact]
    public async Task Tempfile_CreatesAndCleansUpInTmp()
    {
        var result = await fixture.RunAsync<string>("""
            import os, tempfile
            fd, path = tempfile.mkstemp(suffix='.dat')
            os.write(fd, b'temp')
            os.close(fd)
            with tempfile.NamedTemporaryFile('w+') as f:
                f.write('named')
                f.flush()
                named = (os.path.dirname(f.name), open(f.name).read())
            named_gone = os.path.exists(f.name)
            with tempfile.TemporaryDirectory() as d:
                open(os.path.join(d, 'inside'), 'w').close()
                inside = os.listdir(d)
            with tempfile.TemporaryFile() as t:
                t.write(b'anonymous')
                t.seek(0)
                anonymous = t.read()
            with tempfile.SpooledTemporaryFile(max_size=4) as s:
                s.write(b'spilled over')
                rolled = s._rolled
            data = open(path, 'rb').read()
            os.remove(path)
            return repr([tempfile.gettempdir(), os.path.dirname(path), data, named, named_gone, inside, os.path.exists(d), anonymous, rolled])
            """);

        Assert.Equal("['/tmp', '/tmp', b'temp', ('/tmp', 'named'), False, ['inside'], False, b'anonymous', True]", result);
    }

    [Fact]
    public async Task Fileinput_ReadsSeveralFilesAndRewritesInPlace()
    {
        var name = ManagedRuntimeFixture.Unique("fi");
        var result = await fixture.RunAsync<string>($$"""
            import fileinput
            a, b = '/data/{{name}}-a', '/data/{{name}}-b'
            open(a, 'w').write('one\ntwo\n')
            open(b, 'w').write('three\n')
            seen = [(fileinput.filename()[-1], fileinput.lineno(), line.strip()) for line in fileinput.input([a, b])]
            with fileinput.input(a, inplace=True) as f:
                for line in f:
                    print(line.upper(), end='')
            return repr([seen, open(a).read()])
            """);

        Assert.Equal("[[('a', 1, 'one'), ('a', 2, 'two'), ('b', 3, 'three')], 'ONE\\nTWO\\n']", result);
    }

    [Fact]
    public async Task Zipfile_WritesAndExtractsProviderFiles()
    {
        var name = ManagedRuntimeFixture.Unique("zip");
        var result = await fixture.RunAsync<string>($$"""
            import os, zipfile, shutil
            src = '/data/{{name}}'
            os.makedirs(src + '/docs')
            open(src + '/docs/readme.txt', 'w').write('read me' * 100)
            with zipfile.ZipFile('/tmp/{{name}}.zip', 'w', compression=zipfile.ZIP_DEFLATED) as z:
                z.write(src + '/docs/readme.txt', 'docs/readme.txt')
                z.writestr('inline.txt', 'inline')
            with zipfile.ZipFile('/tmp/{{name}}.zip') as z:
                names = sorted(z.namelist())
                z.extractall('/host/{{name}}')
                ok = z.testzip() is None
            archive = shutil.make_archive('/tmp/{{name}}-archive', 'zip', src)
            shutil.unpack_archive(archive, '/tmp/{{name}}-unpacked')
            return repr([names, ok, zipfile.is_zipfile('/tmp/{{name}}.zip'), open('/tmp/{{name}}-unpacked/docs/readme.txt').read() == 'read me' * 100])
            """);

        Assert.Equal("[['docs/readme.txt', 'inline.txt'], True, True, True]", result);
        Assert.Equal("inline", File.ReadAllText(Path.Combine(fixture.HostDirectory, name, "inline.txt")));
    }

    [Fact]
    public async Task Tarfile_WritesCompressedArchivesAndExtractsThem()
    {
        var name = ManagedRuntimeFixture.Unique("tar");
        var result = await fixture.RunAsync<string>($$"""
            import os, tarfile
            src = '/data/{{name}}'
            os.makedirs(src + '/d')
            open(src + '/d/f.txt', 'w').write('tarred')
            with tarfile.open('/tmp/{{name}}.tar.gz', 'w:gz') as t:
                t.add(src, arcname='root')
            with tarfile.open('/tmp/{{name}}.tar.gz') as t:
                names = sorted(t.getnames())
                t.extractall('/tmp/{{name}}-out')
            return repr([names, open('/tmp/{{name}}-out/root/d/f.txt').read()])
            """);

        Assert.Equal("[['root', 'root/d', 'root/d/f.txt'], 'tarred']", result);
    }

    [Fact]
    public async Task JsonAndCsv_RoundTripThroughProviderFiles()
    {
        var name = ManagedRuntimeFixture.Unique("jc");
        var result = await fixture.RunAsync<string>($$"""
            import csv, json
            rows = [{'id': 1, 'name': 'comma, inside'}, {'id': 2, 'name': 'quote " inside'}]
            with open('/data/{{name}}.csv', 'w', newline='') as f:
                w = csv.DictWriter(f, fieldnames=['id', 'name'])
                w.writeheader()
                w.writerows(rows)
            with open('/data/{{name}}.csv', newline='') as f:
                back = list(csv.DictReader(f))
            with open('/data/{{name}}.json', 'w') as f:
                json.dump({'rows': back, 'count': len(back)}, f, indent=2)
            with open('/data/{{name}}.json') as f:
                return json.dumps(json.load(f), sort_keys=True)
            """);

        Assert.Equal("""{"count": 2, "rows": [{"id": "1", "name": "comma, inside"}, {"id": "2", "name": "quote \" inside"}]}""", result);
        Assert.Contains("\"comma, inside\"", ManagedRuntimeFixture.ReadText(fixture.Data, $"/{name}.csv"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompressionAndPickle_ReadAndWriteProviderFiles()
    {
        var name = ManagedRuntimeFixture.Unique("gz");
        var result = await fixture.RunAsync<string>($$"""
            import bz2, gzip, lzma, pickle
            out = []
            for module, ext in ((gzip, 'gz'), (bz2, 'bz2'), (lzma, 'xz')):
                with module.open(f'/tmp/{{name}}.{ext}', 'wt') as f:
                    f.write('compressed ' + ext)
                with module.open(f'/tmp/{{name}}.{ext}', 'rt') as f:
                    out.append(f.read())
            with open('/tmp/{{name}}.pkl', 'wb') as f:
                pickle.dump({'k': [1, 2]}, f)
            with open('/tmp/{{name}}.pkl', 'rb') as f:
                out.append(pickle.load(f))
            return repr(out)
            """);

        Assert.Equal("['compressed gz', 'compressed bz2', 'compressed xz', {'k': [1, 2]}]", result);
    }
}
