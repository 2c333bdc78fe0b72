using System.Globalization;

namespace PyHosting.Samples.Tests;

/// <summary>Computes, independently of the sample's Python, what its sales report must contain.</summary>
internal static class SalesCsv
{
    public static IReadOnlyList<Region> Aggregate(string path)
    {
        var rows = File.ReadAllLines(path)
            .Skip(1)
            .Where(static line => line.Length > 0)
            .Select(static line => line.Split(','))
            .Select(static f => (Region: f[1], Product: f[2], Units: int.Parse(f[3], CultureInfo.InvariantCulture), Price: decimal.Parse(f[4], CultureInfo.InvariantCulture)))
            .ToList();

        return [.. rows.GroupBy(static r => r.Region).Select(static g => new Region(
            g.Key,
            g.Count(),
            g.Sum(static r => r.Units),
            g.Sum(static r => r.Units * r.Price),
            // Python's Counter.most_common: most units first, ties in order of first appearance.
            g.GroupBy(static r => r.Product).OrderByDescending(static p => p.Sum(static r => r.Units)).First().Key))];
    }

    public sealed record Region(string Name, int Orders, int Units, decimal Revenue, string BestSeller);
}
