using System.Text.Json.Serialization;

namespace PyHosting.Samples.WorkerService;

/// <summary>
/// The System.Text.Json contracts of the plain data a job's function returns, generated at build time so that the
/// sample also runs when published with NativeAOT (where System.Text.Json does not reflect over types).
/// </summary>
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(Dictionary<object, object?>))]
[JsonSerializable(typeof(List<object?>))]
[JsonSerializable(typeof(HashSet<object?>))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(byte[]))]
[JsonSerializable(typeof(DateTime))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(DateOnly))]
[JsonSerializable(typeof(TimeOnly))]
[JsonSerializable(typeof(TimeSpan))]
[JsonSerializable(typeof(Guid))]
internal sealed partial class ResultJson : JsonSerializerContext;
