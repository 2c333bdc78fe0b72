using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace PyHosting.Hosting.Internal;

/// <summary>
/// The shape of the options classes, for the code that walks them alongside configuration (the value checker) or
/// flattens them into configuration (a worker's settings). Their public properties are kept by the trimmer through
/// the dependencies below; a test checks that every options class reachable from <see cref="PythonRuntimeOptions"/>
/// is listed, so reflection over them is safe in trimmed and NativeAOT applications.
/// </summary>
internal static class OptionsTypes
{
    /// <summary>Gets the options classes, <see cref="PythonRuntimeOptions"/> and those of its properties.</summary>
    public static IReadOnlyList<Type> All { get; } =
    [
        typeof(PythonRuntimeOptions), typeof(PythonPermissions), typeof(PythonProcessOptions), typeof(PythonFileSystemOptions),
        typeof(PythonMountOptions), typeof(PythonIsolationOptions),
    ];

    /// <summary>The public instance properties of an options class that configuration binds: no indexers, none set in code only.</summary>
    /// <param name="type">One of <see cref="All"/>.</param>
    /// <returns>The properties.</returns>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(PythonRuntimeOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(PythonPermissions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(PythonProcessOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(PythonFileSystemOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(PythonMountOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(PythonIsolationOptions))]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Only the options classes of All reach here (a test checks that the list is complete), and the DynamicDependency attributes keep their public properties.")]
    public static PropertyInfo[] BindableProperties(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(static p => p.GetIndexParameters().Length == 0 && !IsCodeOnly(p.PropertyType))
            .ToArray();

    /// <summary>A new instance of an options class, with its defaults.</summary>
    /// <param name="type">One of <see cref="All"/>.</param>
    /// <returns>The instance.</returns>
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Only the options classes of All reach here; BindableProperties keeps their public parameterless constructors.")]
    public static object CreateDefault(Type type) => Activator.CreateInstance(type)!;

    /// <summary>The value type of a dictionary-shaped property type; <see langword="null"/> for any other type.</summary>
    /// <param name="type">A property type.</param>
    /// <returns>The dictionary's value type, or <see langword="null"/>.</returns>
    public static Type? DictionaryValueType(Type type)
        => type.IsGenericType && type.GetGenericTypeDefinition() is var d
            && (d == typeof(IDictionary<,>) || d == typeof(Dictionary<,>) || d == typeof(IReadOnlyDictionary<,>))
            ? type.GetGenericArguments()[1]
            : null;

    /// <summary>The element type of an array or list-shaped property type; <see langword="null"/> for any other type.</summary>
    /// <param name="type">A property type.</param>
    /// <returns>The element type, or <see langword="null"/>.</returns>
    public static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType && type.GetGenericTypeDefinition() is var d
            && (d == typeof(IList<>) || d == typeof(List<>) || d == typeof(ICollection<>) || d == typeof(IEnumerable<>)
                || d == typeof(IReadOnlyList<>) || d == typeof(IReadOnlyCollection<>) || d == typeof(ISet<>) || d == typeof(HashSet<>))
            ? type.GetGenericArguments()[0]
            : null;
    }

    // An interface that is not a collection (PythonRuntimeOptions.TypeInfoResolver) is set in code, never bound.
    private static bool IsCodeOnly(Type type) => type.IsInterface && DictionaryValueType(type) is null && ElementType(type) is null;
}
