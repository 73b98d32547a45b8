using System.Text.Json;

namespace AckFc.Local.Emulator;

/// <summary>What the emulator knows of one write call (signed API or admin surface) when it answers it.</summary>
internal sealed class ActionTrailCall
{
    public required Product Product { get; init; }

    /// <summary>True for a change made on the admin surface: a console operation by an operator.</summary>
    public bool Console { get; init; }

    public required string EventName { get; init; }
    public required string RegionId { get; init; }
    public required string AccountId { get; init; }

    /// <summary>The resource part of the subject: <c>key/{id}</c>, <c>alias/{name}</c> or <c>cluster/{id}</c>.</summary>
    public required string Resource { get; init; }

    public required string RequestId { get; init; }
    public required DateTimeOffset Time { get; init; }
    public required string SourceIpAddress { get; init; }
    public required string UserAgent { get; init; }

    /// <summary>The host the call was addressed to.</summary>
    public required string EventSource { get; init; }

    public required EmulatorIdentity Identity { get; init; }

    /// <summary>The caller's access key id; empty for console operations.</summary>
    public required string AccessKeyId { get; init; }

    public string ErrorCode { get; init; } = "";
    public string ErrorMessage { get; init; } = "";

    /// <summary>Writes the properties of <c>requestParameters</c> (the API's own names).</summary>
    public required Action<Utf8JsonWriter> WriteParameters { get; init; }
}
