using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace PyHosting.Hosting.Internal;

/// <summary>A view of a configuration section without some keys (by full path).</summary>
internal sealed class FilteredConfigurationSection(IConfigurationSection inner, IReadOnlySet<string> hiddenPaths) : IConfigurationSection
{
    public string Key => inner.Key;

    public string Path => inner.Path;

    public string? Value
    {
        get => hiddenPaths.Contains(inner.Path) ? null : inner.Value;
        set => inner.Value = value;
    }

    public string? this[string key]
    {
        get => GetSection(key).Value;
        set => inner[key] = value;
    }

    public IConfigurationSection GetSection(string key) => new FilteredConfigurationSection(inner.GetSection(key), hiddenPaths);

    public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren()
        .Where(child => !hiddenPaths.Contains(child.Path))
        .Select(child => new FilteredConfigurationSection(child, hiddenPaths));

    public IChangeToken GetReloadToken() => inner.GetReloadToken();
}
