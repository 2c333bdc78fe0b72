using System.Text.Json;
using PyHosting.Managed.Tests.TestSupport;

namespace PyHosting.Managed.Tests;

/// <summary>
/// The done-when: a Managed runtime with IO=All over an in-memory provider runs ordinary
/// file-handling Python code (pathlib, shutil, tempfile, json, csv, zipfile) unchanged.
/// </summary>
[Collection(ManagedRuntimeCollection.Name)]
public sealed class OrdinaryScriptTests(ManagedRuntimeFixture fixture)
{
    [Fact]
    public async Task AReportingScript_RunsUnchangedOverTheInMemoryProvider()
    {
        var project = "/data/" + ManagedRuntimeFixture.Unique("report");
        var script = $$"""
            import csv
            import json
            import os
            import shutil
            import statistics
            import tempfile
            import zipfile
            from collections import defaultdict
            from pathlib import Path

            PROJECT = Path('{{project}}')
            RAW = PROJECT / 'raw'
            OUT = PROJECT / 'out'


            def write_inputs():
                RAW.mkdir(parents=True)
                regions = ['north', 'south', 'east']
                for month in range(1, 4):
                    with open(RAW / f'sales-2024-{month:02}.csv', 'w', newline='', encoding='utf-8') as f:
                        writer = csv.writer(f)
                        writer.writerow(['region', 'product', 'amount'])
                        for i in range(30):
                            writer.writerow([regions[i % 3], f'product-{i % 5}', f'{(month * 7 + i * 3) % 50 + 0.5:.2f}'])
                (RAW / 'notes.md').write_text('# ignored by the report\n', encoding='utf-8')


            def summarise():
                totals = defaultdict(list)
                files = sorted(RAW.glob('sales-*.csv'))
                for path in files:
                    with path.open(newline='', encoding='utf-8') as f:
                        for row in csv.DictReader(f):
                            totals[row['region']].append(float(row['amount']))
                return files, {
                    region: {'count': len(values), 'total': round(sum(values), 2), 'mean': round(statistics.mean(values), 3)}
                    for region, values in sorted(totals.items())
                }


            def publish(files, summary):
                with tempfile.TemporaryDirectory(prefix='report-') as staging:
                    staging = Path(staging)
                    (staging / 'summary.json').write_text(json.dumps(summary, indent=2, sort_keys=True), encoding='utf-8')
                    shutil.copytree(RAW, staging / 'inputs', ignore=shutil.ignore_patterns('*.md'))
                    OUT.mkdir()
                    archive = OUT / 'report.zip'
                    with zipfile.ZipFile(archive, 'w', zipfile.ZIP_DEFLATED) as z:
                        for path in sorted(staging.rglob('*')):
                            if path.is_file():
                                z.write(path, path.relative_to(staging).as_posix())
                    shutil.copy2(staging / 'summary.json', OUT / 'summary.json')
                    staged = staging
                return archive, staged


            write_inputs()
            files, summary = summarise()
            archive, staging = publish(files, summary)
            with zipfile.ZipFile(archive) as z:
                members = sorted(z.namelist())
                restored = json.loads(z.read('summary.json'))
            shutil.rmtree(RAW)
            result = {
                'files': [p.name for p in files],
                'members': members,
                'restored_matches': restored == summary,
                'staging_removed': not staging.exists(),
                'raw_removed': not RAW.exists(),
                'out': sorted(os.listdir(OUT)),
                'north_count': summary['north']['count'],
            }
            """;

        await fixture.Runtime.ExecuteAsync(script);
        var result = await fixture.Runtime.EvaluateAsync<Dictionary<string, object?>>("result");

        Assert.Equal(new List<object?> { "sales-2024-01.csv", "sales-2024-02.csv", "sales-2024-03.csv" }, result!["files"]);
        Assert.Equal(
            new List<object?> { "inputs/sales-2024-01.csv", "inputs/sales-2024-02.csv", "inputs/sales-2024-03.csv", "summary.json" },
            result["members"]);
        Assert.Equal(true, result["restored_matches"]);
        Assert.Equal(true, result["staging_removed"]);
        Assert.Equal(true, result["raw_removed"]);
        Assert.Equal(new List<object?> { "report.zip", "summary.json" }, result["out"]);
        Assert.Equal(30L, result["north_count"]);

        // What the script left behind is in the provider, readable from .NET.
        var inner = project["/data".Length..];
        using var summary = JsonDocument.Parse(ManagedRuntimeFixture.ReadText(fixture.Data, inner + "/out/summary.json"));
        Assert.Equal(30, summary.RootElement.GetProperty("south").GetProperty("count").GetInt32());
        Assert.Null(fixture.Data.GetStatus(inner + "/raw"));
        Assert.DoesNotContain(fixture.Tmp.ReadDirectory("/"), e => e.Name.StartsWith("report-", StringComparison.Ordinal));
    }
}
