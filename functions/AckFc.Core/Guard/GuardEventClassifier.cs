namespace AckFc.Core.Guard;

/// <summary>Sorts an event into issue 13's table: pure, no I/O.</summary>
internal static class GuardEventClassifier
{
    private const string KeyArnMarker = ":key/";
    private const string AliasArnMarker = ":alias/";
    private const string AliasPrefix = "alias/";

    public static GuardClassification Classify(GuardEvent e, IReadOnlyCollection<string> configuredRegions)
    {
        var region = e.RegionId;
        if (!string.IsNullOrEmpty(e.ErrorCode))
        {
            return GuardClassification.Ignore($"The call failed ({e.ErrorCode}), so it changed nothing.", region);
        }

        if (e.EventName is not { } name)
        {
            return GuardClassification.Ignore("The event has no data.eventName.", region);
        }

        var (service, kind) = name switch
        {
            "DisableKey" => ("kms", GuardEventKind.DisableKey),
            "ScheduleKeyDeletion" => ("kms", GuardEventKind.ScheduleKeyDeletion),
            "SetDeletionProtection" => ("kms", GuardEventKind.DeletionProtectionOff),
            "UpdateRotationPolicy" => ("kms", GuardEventKind.RotationOff),
            "DeleteKeyMaterial" => ("kms", GuardEventKind.DeleteKeyMaterial),
            "DeleteAlias" => ("kms", GuardEventKind.DeleteAlias),
            "EnableKey" => ("kms", GuardEventKind.EnableKey),
            "CancelKeyDeletion" => ("kms", GuardEventKind.CancelKeyDeletion),
            "UpdateKMSEncryption" => ("cs", GuardEventKind.EncryptionDrift),
            _ => ((string?)null, default(GuardEventKind)),
        };
        if (service is null)
        {
            return GuardClassification.Ignore($"{name} is not an event the key guard reacts to.", region);
        }

        if (!FromService(e, service))
        {
            return GuardClassification.Ignore($"{name} came as {e.Type}, not as a {service} event.", region);
        }

        if (region is null)
        {
            return GuardClassification.Ignore($"{name} names no region (neither data.acsRegion nor aliyunregionid).");
        }

        if (!configuredRegions.Contains(region, StringComparer.Ordinal))
        {
            return GuardClassification.Ignore($"{name} happened in {region}, which is not one of the configured regions ({string.Join(", ", configuredRegions)}).", region);
        }

        var result = new GuardClassification { Kind = kind, RegionId = region };
        switch (kind)
        {
            case GuardEventKind.EncryptionDrift:
                var cluster = e.Parameter("ClusterId") ?? e.Parameter("cluster_id") ?? ClusterOfSubject(e.Subject);
                return cluster is null
                    ? GuardClassification.Ignore($"{name} names no cluster (no ClusterId in requestParameters or the subject).", region)
                    : result with { ClusterId = cluster };

            case GuardEventKind.DeleteAlias:
                return e.Parameter("AliasName") is { } alias
                    ? result with { Key = NormaliseAlias(alias) }
                    : GuardClassification.Ignore($"{name} names no alias (no AliasName in requestParameters).", region);

            case GuardEventKind.DeletionProtectionOff when e.BoolParameter("EnableDeletionProtection") == true:
                return GuardClassification.Ignore($"{name} turned deletion protection on: nothing is at risk.", region);

            case GuardEventKind.RotationOff when e.BoolParameter("EnableAutomaticRotation") == true:
                return GuardClassification.Ignore($"{name} turned automatic rotation on: nothing is at risk.", region);
        }

        var named = kind == GuardEventKind.DeletionProtectionOff
            ? e.Parameter("ProtectedResourceArn") ?? e.Parameter("KeyId")
            : e.Parameter("KeyId");
        if (NormaliseKey(named) is not { } key)
        {
            return GuardClassification.Ignore(
                $"{name} names no key (no {(kind == GuardEventKind.DeletionProtectionOff ? "ProtectedResourceArn" : "KeyId")} in requestParameters).", region);
        }

        return result with
        {
            Key = key,
            PendingWindowInDays = kind == GuardEventKind.ScheduleKeyDeletion ? e.IntParameter("PendingWindowInDays") : null,
        };
    }

    /// <summary>A key id, <c>alias/…</c>, or a key or alias ARN (<c>acs:kms:{region}:{account}:key/{id}</c>) → the id or alias.</summary>
    internal static string? NormaliseKey(string? named)
    {
        if (string.IsNullOrWhiteSpace(named))
        {
            return null;
        }

        named = named.Trim();
        if (named.StartsWith("acs:kms:", StringComparison.OrdinalIgnoreCase))
        {
            var keyAt = named.IndexOf(KeyArnMarker, StringComparison.Ordinal);
            if (keyAt >= 0)
            {
                return named[(keyAt + KeyArnMarker.Length)..] is { Length: > 0 } id ? id : null;
            }

            var aliasAt = named.IndexOf(AliasArnMarker, StringComparison.Ordinal);
            return aliasAt >= 0 && named[(aliasAt + AliasArnMarker.Length)..] is { Length: > 0 } alias ? AliasPrefix + alias : null;
        }

        return named;
    }

    private static string NormaliseAlias(string alias) =>
        NormaliseKey(alias) is { } key && key.StartsWith(AliasPrefix, StringComparison.Ordinal) ? key : AliasPrefix + alias.Trim();

    private static bool FromService(GuardEvent e, string service) =>
        e.Type.StartsWith(service + ":", StringComparison.OrdinalIgnoreCase)
        || string.Equals(e.ServiceName, service, StringComparison.OrdinalIgnoreCase)
        || string.Equals(e.Source, "acs." + service, StringComparison.OrdinalIgnoreCase);

    private static string? ClusterOfSubject(string? subject)
    {
        const string marker = ":cluster/";
        var at = subject?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        return at >= 0 && subject![(at + marker.Length)..] is { Length: > 0 } id ? id : null;
    }
}
