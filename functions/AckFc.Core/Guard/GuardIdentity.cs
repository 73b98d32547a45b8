namespace AckFc.Core.Guard;

/// <summary>Who made the call an event reports. <see cref="ToString"/> leaves the access key id out.</summary>
public sealed record GuardIdentity(string? Type, string? UserName, string? PrincipalId, string? AccountId, string? AccessKeyId)
{
    public const string AssumedRole = "assumed-role";

    public static GuardIdentity None { get; } = new(null, null, null, null, null);

    /// <summary>For people: type and user name, never the access key id.</summary>
    public override string ToString() => $"{Type ?? "unknown"} {UserName ?? "(no user name)"}";
}
