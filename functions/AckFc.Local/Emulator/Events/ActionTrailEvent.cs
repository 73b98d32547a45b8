using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AckFc.Local.Emulator;

/// <summary>
/// Builds the CloudEvent EventBridge delivers for an ActionTrail record: the CloudEvents 1.0 envelope with the
/// Aliyun extensions, the record in <c>data</c> (docs/emulator.md, "ActionTrail events").
/// </summary>
internal static class ActionTrailEvent
{
    public static EmittedEvent Build(ActionTrailCall call, DateTimeOffset publishTime)
    {
        var id = Guid.NewGuid().ToString("D");
        var (service, serviceName, apiVersion) = call.Product == Product.Kms ? ("kms", "Kms", KmsApi.Version) : ("cs", "CS", CsApi.Version);
        var kind = call.Console ? "ConsoleOperation" : "ApiCall";
        var type = $"{service}:ActionTrail:{kind}";
        var subject = $"acs.{service}:{call.RegionId}:{call.AccountId}:{call.Resource}";
        var eventTime = Utc(call.Time, milliseconds: false);
        var json = Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("source", "acs." + service);
            w.WriteString("specversion", "1.0");
            w.WriteString("type", type);
            w.WriteString("subject", subject);
            w.WriteString("time", Utc(call.Time, milliseconds: true));
            w.WriteString("datacontenttype", "application/json;charset=utf-8");
            w.WriteString("aliyunaccountid", call.AccountId);
            w.WriteString("aliyunpublishtime", Utc(publishTime, milliseconds: true));
            w.WriteString("aliyuneventbusname", "default");
            w.WriteString("aliyunregionid", call.RegionId);
            w.WriteStartObject("data");
            w.WriteString("eventId", id);
            w.WriteNumber("eventVersion", 1);
            w.WriteString("eventType", kind);
            w.WriteString("eventRW", "Write");
            w.WriteString("eventName", call.EventName);
            w.WriteString("serviceName", serviceName);
            w.WriteString("eventSource", call.EventSource);
            w.WriteString("acsRegion", call.RegionId);
            w.WriteString("apiVersion", apiVersion);
            w.WriteString("eventTime", eventTime);
            w.WriteString("requestId", call.RequestId);
            w.WriteStartObject("requestParameters");
            call.WriteParameters(w);
            w.WriteEndObject();
            w.WriteString("sourceIpAddress", call.SourceIpAddress);
            w.WriteString("userAgent", call.UserAgent);
            w.WriteStartObject("userIdentity");
            w.WriteString("type", call.Identity.Type);
            w.WriteString("principalId", PrincipalId(call.Identity, call.AccountId));
            w.WriteString("accountId", call.AccountId);
            w.WriteString("userName", call.Identity.UserName);
            w.WriteString("accessKeyId", call.AccessKeyId);
            w.WriteEndObject();
            w.WriteString("errorCode", call.ErrorCode);
            w.WriteString("errorMessage", call.ErrorMessage);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        return new EmittedEvent(id, type, subject, call.EventName, call.ErrorCode, call.Time, Encoding.UTF8.GetString(json));
    }

    /// <summary>
    /// A stable made-up principal id: the account for the root account, <c>{roleId}:{session}</c> for a role, a
    /// numeric user id otherwise (ActionTrail's forms; the numbers are hashes of the names).
    /// </summary>
    private static string PrincipalId(EmulatorIdentity identity, string accountId)
    {
        switch (identity.Type)
        {
            case "root-account":
                return accountId;
            case "assumed-role":
                var colon = identity.UserName.IndexOf(':', StringComparison.Ordinal);
                var role = colon < 0 ? identity.UserName : identity.UserName[..colon];
                var session = colon < 0 ? "" : identity.UserName[(colon + 1)..];
                return $"{Digits(role, 18)}:{session}";
            default:
                return Digits(identity.UserName, 16);
        }
    }

    private static string Digits(string seed, int count)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var text = new StringBuilder(count);
        text.Append((char)('1' + (hash[0] % 9)));
        for (var i = 1; i < count; i++)
        {
            text.Append((char)('0' + (hash[i] % 10)));
        }

        return text.ToString();
    }

    private static string Utc(DateTimeOffset t, bool milliseconds) =>
        t.UtcDateTime.ToString(milliseconds ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
