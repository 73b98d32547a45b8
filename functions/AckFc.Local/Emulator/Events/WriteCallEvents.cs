using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AckFc.Local.Emulator;

/// <summary>Which calls emit events, and the event facts of a signed API call or an admin-surface change.</summary>
internal static class WriteCallEvents
{
    /// <summary>The KMS writes that emit an event (the ones the key guard reacts to).</summary>
    public static readonly string[] KmsWrites =
        ["DisableKey", "EnableKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "SetDeletionProtection", "UpdateRotationPolicy", "DeleteKeyMaterial", "DeleteAlias"];

    public static bool IsWrite(Product product, string action) =>
        product == Product.Cs ? action == "UpdateKMSEncryption" : KmsWrites.Contains(action, StringComparer.Ordinal);

    /// <summary>The event of a signed write call, answered with <paramref name="status"/> (an error code when it failed).</summary>
    public static ActionTrailCall ForApiCall(
        EmulatorState state, HttpContext context, Product product, string action, string? regionId, string? resourceId,
        IReadOnlyDictionary<string, string> parameters, string[] segments, byte[] body, string requestId, VerifiedCaller caller,
        string? errorCode, string? errorMessage)
    {
        string resource;
        Action<System.Text.Json.Utf8JsonWriter> write;
        if (product == Product.Cs)
        {
            var clusterId = segments.Length > 1 ? segments[1] : "";
            resource = "cluster/" + clusterId;
            write = w =>
            {
                w.WriteString("ClusterId", clusterId);
                WriteBodyFields(w, body);
            };
        }
        else
        {
            resource = action switch
            {
                "DeleteAlias" => parameters.GetValueOrDefault("AliasName") ?? "alias/",
                "SetDeletionProtection" => "key/" + (resourceId ?? KeyIdOfArn(parameters.GetValueOrDefault("ProtectedResourceArn"))),
                _ => "key/" + (resourceId ?? parameters.GetValueOrDefault("KeyId") ?? ""),
            };
            write = w =>
            {
                foreach (var (name, value) in parameters)
                {
                    if (name != "Action")
                    {
                        w.WriteString(name, value);
                    }
                }
            };
        }

        return new ActionTrailCall
        {
            Product = product,
            EventName = action,
            RegionId = regionId ?? FirstRegion(state),
            AccountId = caller.MemberAccountId ?? state.AccountId,
            Resource = resource,
            RequestId = requestId,
            Time = state.Time.GetUtcNow(),
            SourceIpAddress = SourceIp(context),
            UserAgent = context.Request.Headers.UserAgent.ToString(),
            EventSource = context.Request.Headers.Host.ToString(),
            Identity = caller.Identity,
            AccessKeyId = caller.AccessKeyId,
            ErrorCode = errorCode ?? "",
            ErrorMessage = errorMessage ?? "",
            WriteParameters = write,
        };
    }

    /// <summary>The event of a change made on the admin surface: a console operation by the operator.</summary>
    public static ActionTrailCall ForConsole(
        EmulatorState state, HttpContext context, Product product, string eventName, string regionId, string resource,
        Action<System.Text.Json.Utf8JsonWriter> write) => new()
    {
        Product = product,
        Console = true,
        EventName = eventName,
        RegionId = regionId,
        AccountId = state.AccountId,
        Resource = resource,
        RequestId = Guid.NewGuid().ToString("D").ToUpperInvariant(),
        Time = state.Time.GetUtcNow(),
        SourceIpAddress = SourceIp(context),
        UserAgent = context.Request.Headers.UserAgent.ToString(),
        EventSource = context.Request.Headers.Host.ToString(),
        Identity = EmulatorIdentity.Operator,
        AccessKeyId = "",
        WriteParameters = write,
    };

    private static string FirstRegion(EmulatorState state)
    {
        var regions = state.Regions;
        return regions.Count > 0 ? regions[0] : "";
    }

    private static string KeyIdOfArn(string? arn)
    {
        var at = arn?.LastIndexOf("key/", StringComparison.Ordinal) ?? -1;
        return at < 0 ? arn ?? "" : arn![(at + 4)..];
    }

    private static string SourceIp(HttpContext context)
    {
        var ip = context.Connection.RemoteIpAddress;
        return ip is null ? "" : (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString();
    }

    // The body's own fields as sent (kms_key_id, disable_encryption); a body that is not a JSON object adds nothing.
    private static void WriteBodyFields(System.Text.Json.Utf8JsonWriter w, byte[] body)
    {
        if (body.Length == 0)
        {
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name != "ClusterId")
                {
                    property.WriteTo(w);
                }
            }
        }
        catch (JsonException)
        {
            // A malformed body is the call's own error (InvalidParameter); the event keeps only ClusterId.
        }
    }
}
