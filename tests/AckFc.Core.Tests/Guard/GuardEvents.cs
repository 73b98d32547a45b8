using System.Text;
using System.Text.Json.Nodes;

namespace AckFc.Core.Tests.Guard;

/// <summary>ActionTrail CloudEvents as EventBridge delivers them (the shape of the shared brief), for the guard's tests.</summary>
internal static class GuardEvents
{
    public const string Region = "cn-hangzhou";
    public const string Account = "1234567890123456";
    public const string UserAccessKeyId = "LTAI5tUserAccessKeyCanary";

    public static JsonObject Kms(string eventName, JsonObject parameters, string? id = null, string errorCode = "", JsonObject? identity = null,
        string region = Region, string eventTime = "2026-11-28T02:59:58Z", string publishTime = "2026-11-28T02:59:59.250Z") =>
        Event("acs.kms", "kms:ActionTrail:ApiCall", "Kms", eventName, parameters, id, errorCode, identity, region, eventTime, publishTime,
            $"acs.kms:{region}:{Account}:key/{parameters["KeyId"]?.GetValue<string>() ?? "unknown"}");

    public static JsonObject Cs(string eventName, JsonObject parameters, string? id = null, JsonObject? identity = null, string region = Region) =>
        Event("acs.cs", "cs:ActionTrail:ApiCall", "CS", eventName, parameters, id, "", identity, region, "2026-11-28T02:59:58Z", "2026-11-28T02:59:59Z",
            $"acs.cs:{region}:{Account}:cluster/{parameters["ClusterId"]?.GetValue<string>() ?? "unknown"}");

    public static JsonObject User(string name = "alice") => new()
    {
        ["type"] = "ram-user", ["principalId"] = "20000000000000000", ["accountId"] = Account, ["userName"] = name, ["accessKeyId"] = UserAccessKeyId,
    };

    public static JsonObject Role(string role, string session = "s-1", string accessKeyId = "STS.NUroleTokenCanary") => new()
    {
        ["type"] = "assumed-role", ["principalId"] = "30000000000000000:" + session, ["accountId"] = Account,
        ["userName"] = $"{role}:{session}", ["accessKeyId"] = accessKeyId,
    };

    public static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    private static JsonObject Event(string source, string type, string service, string eventName, JsonObject parameters, string? id, string errorCode,
        JsonObject? identity, string region, string eventTime, string publishTime, string subject)
    {
        id ??= Guid.NewGuid().ToString();
        return new JsonObject
        {
            ["id"] = id,
            ["source"] = source,
            ["specversion"] = "1.0",
            ["type"] = type,
            ["subject"] = subject,
            ["time"] = eventTime,
            ["datacontenttype"] = "application/json;charset=utf-8",
            ["aliyunaccountid"] = Account,
            ["aliyunpublishtime"] = publishTime,
            ["aliyuneventbusname"] = "default",
            ["aliyunregionid"] = region,
            ["data"] = new JsonObject
            {
                ["eventId"] = id,
                ["eventVersion"] = 1,
                ["eventType"] = "ApiCall",
                ["eventRW"] = "Write",
                ["eventName"] = eventName,
                ["serviceName"] = service,
                ["eventSource"] = service == "Kms" ? $"kms.{region}.aliyuncs.com" : "cs.aliyuncs.com",
                ["acsRegion"] = region,
                ["apiVersion"] = service == "Kms" ? "2016-01-20" : "2015-12-15",
                ["eventTime"] = eventTime,
                ["requestId"] = "REQ-" + id,
                ["requestParameters"] = parameters,
                ["sourceIpAddress"] = "203.0.113.7",
                ["userAgent"] = "AlibabaCloud (Linux; amd64) Go/1.22",
                ["userIdentity"] = identity ?? User(),
                ["errorCode"] = errorCode,
                ["errorMessage"] = errorCode.Length == 0 ? "" : "The request failed.",
            },
        };
    }
}
