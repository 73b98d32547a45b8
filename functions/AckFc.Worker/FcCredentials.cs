namespace AckFc.Worker;

/// <summary>The credentials Function Compute hands to one invocation (the function role's STS token). Never printed.</summary>
public sealed record FcCredentials(string AccessKeyId, string AccessKeySecret, string? SecurityToken)
{
    public override string ToString() => $"FcCredentials {{ AccessKeyId = {AccessKeyId}, AccessKeySecret = ***, SecurityToken = {(SecurityToken is null ? "none" : "***")} }}";
}
