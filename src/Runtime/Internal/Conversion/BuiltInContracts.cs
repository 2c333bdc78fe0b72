using System.Text.Json.Serialization;

namespace PyHosting.Internal.Conversion;

/// <summary>
/// Source-generated contracts of the collections results are most often asked as, so that they convert without
/// reflection (in trimmed and NativeAOT applications too). Any other type needs the application's resolver there.
/// </summary>
[JsonSerializable(typeof(List<object?>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(List<long>))]
[JsonSerializable(typeof(List<double>))]
[JsonSerializable(typeof(List<bool>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(double[]))]
[JsonSerializable(typeof(HashSet<string>))]
[JsonSerializable(typeof(HashSet<int>))]
[JsonSerializable(typeof(HashSet<long>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(Dictionary<string, double>))]
[JsonSerializable(typeof(Dictionary<string, bool>))]
[JsonSerializable(typeof(Dictionary<string, List<object?>>))]
[JsonSerializable(typeof(List<Dictionary<string, object?>>))]
internal sealed partial class BuiltInContracts : JsonSerializerContext;
