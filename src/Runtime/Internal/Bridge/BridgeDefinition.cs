namespace PyHosting.Internal.Bridge;

/// <summary>A bridge function before it is made: the parameters its calls are bound to, and its implementation.</summary>
/// <param name="Signature">The parameters.</param>
/// <param name="Handler">The implementation.</param>
internal sealed record BridgeDefinition(BridgeSignature Signature, BridgeHandler Handler);
