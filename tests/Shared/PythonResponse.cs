using System.Text.Json;
using System.Text.Json.Nodes;

namespace PyHosting.Testing;

/// <summary>One response of PyHosting.TestHost.</summary>
/// <param name="Raw">The response as sent.</param>
public sealed record PythonResponse(JsonObject Raw)
{
    /// <summary>Gets a value indicating whether the call succeeded.</summary>
    public bool Ok => (bool?)Raw["ok"] == true;

    /// <summary>Gets the result (plain data as JSON; bytes as <c>{"bytes":"base64"}</c>).</summary>
    public JsonNode? Result => Raw["result"];

    /// <summary>Gets the .NET exception type name of a failed call, e.g. <c>PythonScriptException</c> or <c>OperationCanceledException</c>.</summary>
    public string? Type => (string?)Raw["type"];

    /// <summary>Gets the Python exception type of a <c>PythonScriptException</c>.</summary>
    public string? PythonType => (string?)Raw["pythonType"];

    /// <summary>Gets the exception message of a failed call.</summary>
    public string? Message => (string?)Raw["message"];

    /// <summary>Gets the Python message (<c>str(e)</c>) of a <c>PythonScriptException</c>.</summary>
    public string? PythonMessage => (string?)Raw["pythonMessage"];

    /// <summary>Gets the Python traceback of a <c>PythonScriptException</c>.</summary>
    public string? Traceback => (string?)Raw["traceback"];

    /// <summary>Gets the captured standard output of a request sent with <c>capture</c>.</summary>
    public string? Stdout => (string?)Raw["stdout"];

    /// <summary>Gets the captured standard error of a request sent with <c>capture</c>.</summary>
    public string? Stderr => (string?)Raw["stderr"];

    /// <summary>Converts the result.</summary>
    /// <typeparam name="T">The type to deserialize to.</typeparam>
    /// <returns>The result.</returns>
    public T? GetResult<T>() => EnsureOk().Result is { } node ? node.Deserialize<T>() : default;

    /// <summary>Throws unless the call succeeded.</summary>
    /// <returns>This response.</returns>
    /// <exception cref="InvalidOperationException">The call failed; the message holds the response.</exception>
    public PythonResponse EnsureOk() => Ok ? this : throw new InvalidOperationException($"The call failed: {Raw.ToJsonString()}");

    /// <inheritdoc />
    public override string ToString() => Raw.ToJsonString();
}

/// <summary>A log entry written by the TestHost.</summary>
/// <param name="Category">The logger category.</param>
/// <param name="Level">The level name, e.g. <c>Information</c>.</param>
/// <param name="EventId">The event id.</param>
/// <param name="Message">The formatted message.</param>
public sealed record PythonLogEntry(string Category, string Level, int EventId, string Message);
