using System.Text.Json;
using AckFc.AlibabaCloud.Signing;

namespace AckFc.Local.Emulator;

/// <summary>The KMS (2016-01-20, RPC) key-management APIs AckFc uses.</summary>
internal sealed class KmsApi(EmulatorState state)
{
    public const string Version = "2016-01-20";

    private static readonly string[] FilterKeys =
        ["KeyState", "KeySpec", "KeyUsage", "ProtectionLevel", "CreatorType", "DKMSInstanceId", "KeyId", "AliasName", "Creator", "TagKey", "TagValue"];

    public static bool Knows(string action) => action is "DescribeKey" or "ListKeys" or "ListAliases" or "CancelKeyDeletion"
        or "SetDeletionProtection" or "EnableKey" or "DisableKey" or "ScheduleKeyDeletion" or "GetSecretValue"
        or "UpdateRotationPolicy" or "DeleteKeyMaterial" or "DeleteAlias";

    // KMS' documented range of RotationInterval: 7 to 730 days.
    private static readonly TimeSpan MinRotation = TimeSpan.FromDays(7);
    private static readonly TimeSpan MaxRotation = TimeSpan.FromDays(730);

    public ApiResponse Handle(ApiRequest r)
    {
        lock (state.Gate)
        {
            return r.Action switch
            {
                "DescribeKey" => DescribeKey(r),
                "ListKeys" => ListKeys(r),
                "ListAliases" => ListAliases(r),
                "CancelKeyDeletion" => Change(r, CancelKeyDeletion),
                "SetDeletionProtection" => SetDeletionProtection(r),
                "EnableKey" => Change(r, EnableKey),
                "DisableKey" => Change(r, DisableKey),
                "ScheduleKeyDeletion" => Change(r, ScheduleKeyDeletion),
                "GetSecretValue" => GetSecretValue(r),
                "UpdateRotationPolicy" => Change(r, UpdateRotationPolicy),
                "DeleteKeyMaterial" => Change(r, DeleteKeyMaterial),
                "DeleteAlias" => DeleteAlias(r),
                _ => throw new InvalidOperationException($"KMS has no action {r.Action}."),
            };
        }
    }

    private ApiResponse DescribeKey(ApiRequest r)
    {
        var key = KeyOf(r, r.Required("KeyId"));
        return new(200, Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("RequestId", r.RequestId);
            w.WriteStartObject("KeyMetadata");
            WriteMetadata(w, key);
            w.WriteEndObject();
            w.WriteEndObject();
        }));
    }

    // Secrets Manager: the ACSCurrent version only (AckFc reads nothing else); the error shapes of KMS' API page.
    private ApiResponse GetSecretValue(ApiRequest r)
    {
        var name = r.Required("SecretName");
        var stage = r.Param("VersionStage");
        if (!string.IsNullOrEmpty(stage) && stage != "ACSCurrent")
        {
            throw new ApiException(404, "Forbidden.ResourceNotFound", $"The emulator keeps only the ACSCurrent version of secret {name}, not {stage}.");
        }

        // One URL serves every region: without a RegionId parameter the name alone finds the secret.
        var secret = (r.AccountId == state.AccountId ? state.FindSecret(r.RegionId, name) : null)
            ?? throw new ApiException(404, "Forbidden.ResourceNotFound", $"The specified secret is not found: {name}.");
        return new(200, Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("RequestId", r.RequestId);
            w.WriteString("SecretName", secret.SecretName);
            w.WriteString("VersionId", secret.VersionId);
            w.WriteString("SecretDataType", "text");
            w.WriteString("SecretType", "Generic");
            w.WriteString("SecretData", secret.SecretData);
            w.WriteStartObject("VersionStages");
            w.WriteStartArray("VersionStage");
            w.WriteStringValue("ACSCurrent");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }));
    }

    private ApiResponse ListKeys(ApiRequest r)
    {
        var filters = ParseFilters(r.Param("Filters"));
        var page = r.Page(state.LiveKeys(r.Now)
            .Where(k => k.AccountId == r.AccountId && (r.RegionId is null || k.RegionId == r.RegionId) && filters.All(f => Matches(k, f.Key, f.Values)))
            .ToList());
        return new(200, Json.Write(w =>
        {
            w.WriteStartObject();
            page.WriteCounts(w, r.RequestId);
            w.WriteStartObject("Keys");
            w.WriteStartArray("Key");
            foreach (var key in page.Items)
            {
                w.WriteStartObject();
                w.WriteString("KeyId", key.KeyId);
                w.WriteString("KeyArn", key.Arn);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }));
    }

    private ApiResponse ListAliases(ApiRequest r)
    {
        var page = r.Page(state.LiveAliases(r.Now).Where(a => a.Key.AccountId == r.AccountId && (r.RegionId is null || a.Key.RegionId == r.RegionId)).ToList());
        return new(200, Json.Write(w =>
        {
            w.WriteStartObject();
            page.WriteCounts(w, r.RequestId);
            w.WriteStartObject("Aliases");
            w.WriteStartArray("Alias");
            foreach (var (alias, key) in page.Items)
            {
                w.WriteStartObject();
                w.WriteString("AliasName", alias);
                w.WriteString("KeyId", key.KeyId);
                w.WriteString("AliasArn", key.AliasArn(alias));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }));
    }

    private ApiResponse SetDeletionProtection(ApiRequest r)
    {
        var arn = r.Required("ProtectedResourceArn");
        var enable = Bool(r, "EnableDeletionProtection");

        if (!arn.StartsWith("acs:kms:", StringComparison.Ordinal) || !arn.Contains(":key/", StringComparison.Ordinal))
        {
            throw new ApiException(400, "InvalidParameter", $"ProtectedResourceArn '{arn}' is not a key ARN (acs:kms:<region>:<account>:key/<id>).");
        }

        var key = KeyOf(r, arn);
        RefuseServiceKey(key, r.Action);
        if (key.KeyState == "PendingDeletion")
        {
            throw new ApiException(409, "Rejected.PendingDeletion", $"Key {key.KeyId} is PendingDeletion: cancel the deletion first.");
        }

        key.DeletionProtection = enable;
        key.DeletionProtectionDescription = enable ? r.Param("DeletionProtectionDescription") : null;
        return Ok(r);
    }

    private ApiResponse Change(ApiRequest r, Action<ApiRequest, EmulatedKey> change)
    {
        var key = KeyOf(r, r.Required("KeyId"));
        RefuseServiceKey(key, r.Action);
        change(r, key);
        return Ok(r);
    }

    private static void EnableKey(ApiRequest r, EmulatedKey key)
    {
        RefuseState(key, "PendingDeletion", "PendingImport");
        key.KeyState = "Enabled";
    }

    private static void DisableKey(ApiRequest r, EmulatedKey key)
    {
        RefuseState(key, "PendingDeletion", "PendingImport");
        key.KeyState = "Disabled";
    }

    private static void ScheduleKeyDeletion(ApiRequest r, EmulatedKey key)
    {
        _ = r.Required("PendingWindowInDays");
        var days = r.IntParam("PendingWindowInDays", 0, 7, 366);
        RefuseState(key, "PendingDeletion");
        if (key.DeletionProtection)
        {
            throw new ApiException(403, "Forbidden.DeletionProtection",
                $"Key {key.KeyId} has deletion protection enabled ({key.DeletionProtectionDescription ?? "no description"}); disable it first.");
        }

        key.KeyState = "PendingDeletion";
        key.DeleteDate = EmulatorState.TruncateToSecond(r.Now.AddDays(days));
    }

    private static void CancelKeyDeletion(ApiRequest r, EmulatedKey key)
    {
        if (key.KeyState != "PendingDeletion")
        {
            throw new ApiException(409, "Rejected.StateModifiedFailed", $"Key {key.KeyId} is {key.KeyState}, not PendingDeletion: there is no deletion to cancel.");
        }

        key.KeyState = "Enabled";
        key.DeleteDate = null;
    }

    private static void UpdateRotationPolicy(ApiRequest r, EmulatedKey key)
    {
        var enable = Bool(r, "EnableAutomaticRotation");
        TimeSpan? interval = null;
        if (r.Param("RotationInterval") is { Length: > 0 } text)
        {
            interval = ParseInterval(text);
        }
        else if (enable)
        {
            throw new ApiException(400, "MissingParameter", "The input parameter RotationInterval that is mandatory when EnableAutomaticRotation is true is not supplied.");
        }

        RefuseState(key, "PendingDeletion", "PendingImport");
        if (key.Origin == "EXTERNAL")
        {
            throw new ApiException(400, "UnsupportedOperation", $"Key {key.KeyId} has imported material (Origin EXTERNAL): KMS cannot rotate it.");
        }

        key.AutomaticRotation = enable ? "Enabled" : "Disabled";
        if (interval is { } every)
        {
            key.RotationInterval = ((long)every.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + "s";
        }

        key.NextRotationDate = enable && interval is { } next ? EmulatorState.TruncateToSecond((key.LastRotationDate ?? r.Now) + next) : null;
    }

    private static void DeleteKeyMaterial(ApiRequest r, EmulatedKey key)
    {
        if (key.Origin != "EXTERNAL")
        {
            throw new ApiException(400, "UnsupportedOperation", $"Key {key.KeyId} has Origin {key.Origin}: only keys with imported material (EXTERNAL) have material to delete.");
        }

        RefuseState(key, "PendingDeletion", "PendingImport");
        key.KeyState = "PendingImport";
        key.MaterialExpireTime = null;
    }

    private ApiResponse DeleteAlias(ApiRequest r)
    {
        var alias = r.Required("AliasName");
        if (!alias.StartsWith("alias/", StringComparison.Ordinal))
        {
            throw new ApiException(400, "InvalidParameter", $"AliasName '{alias}' must start with alias/.");
        }

        var key = KeyOf(r, alias);
        RefuseServiceKey(key, r.Action);
        state.RemoveAlias(key, alias);
        return Ok(r);
    }

    private static bool Bool(ApiRequest r, string name)
    {
        var text = r.Required(name);
        return bool.TryParse(text, out var value)
            ? value
            : throw new ApiException(400, "InvalidParameter", $"{name} '{text}' must be true or false.");
    }

    // "integer[unit]" with unit d, h, m or s (no unit: seconds), as KMS documents RotationInterval.
    private static TimeSpan ParseInterval(string text)
    {
        var unit = char.IsAsciiDigit(text[^1]) ? 's' : text[^1];
        var digits = char.IsAsciiDigit(text[^1]) ? text : text[..^1];
        if (!long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n > 100_000_000
            || unit is not ('d' or 'h' or 'm' or 's'))
        {
            throw new ApiException(400, "InvalidParameter", $"RotationInterval '{text}' must be an integer with unit d, h, m or s, such as 31536000s or 365d.");
        }

        var interval = unit switch
        {
            'd' => TimeSpan.FromDays(n),
            'h' => TimeSpan.FromHours(n),
            'm' => TimeSpan.FromMinutes(n),
            _ => TimeSpan.FromSeconds(n),
        };
        return interval >= MinRotation && interval <= MaxRotation
            ? interval
            : throw new ApiException(400, "InvalidParameter", $"RotationInterval '{text}' must be from 7 days to 730 days.");
    }

    private static void RefuseState(EmulatedKey key, params string[] states)
    {
        if (states.Contains(key.KeyState, StringComparer.Ordinal))
        {
            throw new ApiException(409, "Rejected." + key.KeyState, $"Key {key.KeyId} is {key.KeyState}: the operation is not allowed in this state.");
        }
    }

    private static void RefuseServiceKey(EmulatedKey key, string action)
    {
        if (key.CreatorType == "Service")
        {
            throw new ApiException(403, "Forbidden.NoPermission",
                $"Key {key.KeyId} is a service key managed by {key.Creator}: {action} is not allowed on it.");
        }
    }

    /// <summary>A key by id, alias or ARN, in the request's region when one was named.</summary>
    private EmulatedKey KeyOf(ApiRequest r, string idOrAlias)
    {
        var key = state.FindKey(idOrAlias, r.Now);
        if (key is null || key.AccountId != r.AccountId || (r.RegionId is not null && key.RegionId != r.RegionId))
        {
            throw idOrAlias.StartsWith("alias/", StringComparison.Ordinal)
                ? new ApiException(404, "Forbidden.AliasNotFound", $"The specified Alias is not found: {idOrAlias}.")
                : new ApiException(404, "Forbidden.KeyNotFound", $"The specified Key is not found: {idOrAlias}.");
        }

        r.RegionId ??= key.RegionId;
        r.ResourceId = key.KeyId;
        return key;
    }

    private static ApiResponse Ok(ApiRequest r) => new(200, Json.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("RequestId", r.RequestId);
        w.WriteEndObject();
    }));

    private static void WriteMetadata(Utf8JsonWriter w, EmulatedKey k)
    {
        w.WriteString("KeyId", k.KeyId);
        w.WriteString("Arn", k.Arn);
        w.WriteString("KeyState", k.KeyState);
        w.WriteString("KeySpec", k.KeySpec);
        w.WriteString("KeyUsage", k.KeyUsage);
        w.WriteString("Origin", k.Origin);
        w.WriteString("ProtectionLevel", k.ProtectionLevel);
        w.WriteString("Creator", k.Creator);
        w.WriteString("CreationDate", AcsV3Signer.FormatDate(k.CreationDate));
        w.WriteString("Description", k.Description);
        if (k.DeleteDate is { } deleteDate)
        {
            w.WriteString("DeleteDate", AcsV3Signer.FormatDate(deleteDate));
        }

        w.WriteString("DeletionProtection", k.DeletionProtection ? "Enabled" : "Disabled");
        w.OptionalString("DeletionProtectionDescription", k.DeletionProtectionDescription);
        w.WriteString("AutomaticRotation", k.AutomaticRotation);
        w.OptionalString("RotationInterval", k.RotationInterval);
        w.OptionalString("LastRotationDate", k.LastRotationDate is { } last ? AcsV3Signer.FormatDate(last) : null);
        w.OptionalString("NextRotationDate", k.NextRotationDate is { } next ? AcsV3Signer.FormatDate(next) : null);
        w.WriteString("PrimaryKeyVersion", k.PrimaryKeyVersion);
        if (k.Origin == "EXTERNAL")
        {
            // KMS reports an empty string for material that never expires.
            w.WriteString("MaterialExpireTime", k.MaterialExpireTime is { } expires ? AcsV3Signer.FormatDate(expires) : "");
        }

        w.OptionalString("DKMSInstanceId", k.DkmsInstanceId);
    }

    private static List<(string Key, HashSet<string> Values)> ParseFilters(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var filters = new List<(string, HashSet<string>)>();
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw BadFilters("it must be a JSON array of {\"Key\": \"…\", \"Values\": [\"…\"]}");
            }

            if (doc.RootElement.GetArrayLength() > 10)
            {
                throw BadFilters("at most 10 Key/Values pairs are allowed");
            }

            foreach (var item in doc.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("Key", out var key) || key.ValueKind != JsonValueKind.String
                    || !item.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Array)
                {
                    throw BadFilters("every entry needs a string Key and an array Values");
                }

                var name = key.GetString()!;
                if (!FilterKeys.Contains(name, StringComparer.Ordinal))
                {
                    throw BadFilters($"Key '{name}' is not one of {string.Join(", ", FilterKeys)}");
                }

                var set = new HashSet<string>(StringComparer.Ordinal);
                foreach (var value in values.EnumerateArray())
                {
                    set.Add(value.ValueKind == JsonValueKind.String ? value.GetString()! : throw BadFilters($"the Values of '{name}' must be strings"));
                }

                filters.Add((name, set));
            }
        }
        catch (JsonException ex)
        {
            throw BadFilters($"it is not valid JSON ({ex.Message})");
        }

        return filters;
    }

    private static ApiException BadFilters(string why) => new(400, "InvalidParameter", $"The parameter Filters is not valid: {why}.");

    private static bool Matches(EmulatedKey k, string filter, HashSet<string> values) => filter switch
    {
        "KeyState" => values.Contains(k.KeyState),
        "KeySpec" => values.Contains(k.KeySpec),
        "KeyUsage" => values.Contains(k.KeyUsage),
        "ProtectionLevel" => values.Contains(k.ProtectionLevel),
        "CreatorType" => values.Contains(k.CreatorType),
        "DKMSInstanceId" => values.Contains(k.DkmsInstanceId ?? ""),
        "KeyId" => values.Contains(k.KeyId),
        "AliasName" => k.Aliases.Any(values.Contains),
        "Creator" => values.Contains(k.Creator),
        "TagKey" => k.Tags.Keys.Any(values.Contains),
        "TagValue" => k.Tags.Values.Any(values.Contains),
        _ => false,
    };
}
