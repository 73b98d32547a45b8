using System.Text.Json;
using System.Text.Json.Serialization;

namespace AckFc.AlibabaCloud.Sts;

// Wire shapes of STS 2015-04-01 AssumeRole (PascalCase; matching is case-insensitive so camelCase gateways also parse).

internal sealed class StsAssumeRoleResponse
{
    public string? RequestId { get; set; }

    public StsWireAssumedRoleUser? AssumedRoleUser { get; set; }

    public StsWireCredentials? Credentials { get; set; }
}

internal sealed class StsWireAssumedRoleUser
{
    public string? AssumedRoleId { get; set; }

    public string? Arn { get; set; }
}

internal sealed class StsWireCredentials
{
    public string? AccessKeyId { get; set; }

    public string? AccessKeySecret { get; set; }

    public string? SecurityToken { get; set; }

    public string? Expiration { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(StsAssumeRoleResponse))]
internal sealed partial class StsJsonContext : JsonSerializerContext;
