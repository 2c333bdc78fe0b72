using System.Text;

namespace PyHosting.Internal.Conversion;

/// <summary>Spells .NET types as C# does (<c>List&lt;int&gt;</c>, <c>long?</c>, <c>string[]</c>) for error messages.</summary>
internal static class TypeNames
{
    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(short)] = "short",
        [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint", [typeof(long)] = "long",
        [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double", [typeof(decimal)] = "decimal",
        [typeof(char)] = "char", [typeof(string)] = "string", [typeof(object)] = "object", [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    public static string Readable(Type type)
    {
        if (Keywords.TryGetValue(type, out var keyword))
        {
            return keyword;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Readable(underlying) + "?";
        }

        if (type.IsArray)
        {
            return Readable(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        var sb = new StringBuilder(tick < 0 ? name : name[..tick]).Append('<');
        sb.AppendJoin(", ", type.GetGenericArguments().Select(Readable));
        return sb.Append('>').ToString();
    }
}
