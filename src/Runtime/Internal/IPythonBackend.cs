namespace PyHosting.Internal;

/// <summary>What a backend does around the one-time interpreter start and around each call.</summary>
internal interface IPythonBackend
{
    PythonBackend Kind { get; }

    /// <summary>Runs before <c>Py_InitializeEx</c>, without the GIL: configuration flags, inittab, hooks.</summary>
    void BeforeInitialize(PythonInstallation installation);

    /// <summary>Runs once after <c>Py_InitializeEx</c>, with the GIL held.</summary>
    void AfterInitialize(PythonInstallation installation);

    /// <summary>Runs when the host stops, before the interpreter is finalised (GIL not held): release what the backend holds outside Python.</summary>
    void OnStopping();

    /// <summary>Handles an audit event (GIL held, inside the C# audit hook). Returns an error message to deny it, or <see langword="null"/>.</summary>
    AuditDecision OnAuditEvent(string eventName, nint args);
}

/// <summary>What the audit hook answers: allow, or deny with an exception class and message.</summary>
internal readonly record struct AuditDecision(nint ExceptionClass, string? Message)
{
    public static AuditDecision Allow => default;

    public bool IsDenied => Message is not null;
}
