namespace AckFc.Core.Judging;

/// <summary>What happened to a change request. The webhook maps it to an HTTP status (contracts §4).</summary>
public enum ChangeOutcome
{
    /// <summary>200: applied and verified.</summary>
    [JsonStringEnumMemberName("applied")] Applied,
    /// <summary>200: already in the desired state; nothing was called.</summary>
    [JsonStringEnumMemberName("noChange")] NoChange,
    /// <summary>200: dry run; the decision and plan, nothing was called.</summary>
    [JsonStringEnumMemberName("dryRun")] DryRun,
    /// <summary>202: ACK accepted the change; the cluster was still updating when we stopped following it.</summary>
    [JsonStringEnumMemberName("accepted")] Accepted,
    /// <summary>403: the policy denies it.</summary>
    [JsonStringEnumMemberName("denied")] Denied,
    /// <summary>404: no such cluster.</summary>
    [JsonStringEnumMemberName("notFound")] NotFound,
    /// <summary>409: cluster busy (updating, another change in flight, or inside the 5-minute cool-down).</summary>
    [JsonStringEnumMemberName("conflict")] Conflict,
    /// <summary>400: the request cannot be carried out as stated (e.g. enable without a key).</summary>
    [JsonStringEnumMemberName("invalid")] Invalid,
    /// <summary>502/503: the cloud failed.</summary>
    [JsonStringEnumMemberName("cloudFailed")] CloudFailed,
}
