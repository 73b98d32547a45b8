namespace AckFc.Functions;

/// <summary>A request body that breaks the contract; <see cref="Field"/> names the culprit (RFC 9457 answer).</summary>
public sealed class BadRequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
