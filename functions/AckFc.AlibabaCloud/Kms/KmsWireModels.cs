using System.Text.Json;
using System.Text.Json.Serialization;

namespace AckFc.AlibabaCloud.Kms;

// Wire shapes of KMS 2016-01-20 (PascalCase; matching is case-insensitive so camelCase gateways also parse).

internal sealed class KmsDescribeKeyResponse
{
    public string? RequestId { get; set; }

    public KmsWireKeyMetadata? KeyMetadata { get; set; }
}

internal sealed class KmsWireKeyMetadata
{
    public string? KeyId { get; set; }

    public string? Arn { get; set; }

    public string? KeyState { get; set; }

    public string? KeySpec { get; set; }

    public string? KeyUsage { get; set; }

    public string? Origin { get; set; }

    public string? ProtectionLevel { get; set; }

    public string? Creator { get; set; }

    public string? Description { get; set; }

    public string? CreationDate { get; set; }

    public string? DeleteDate { get; set; }

    public string? DeletionProtection { get; set; }

    public string? DeletionProtectionDescription { get; set; }

    public string? AutomaticRotation { get; set; }

    public string? RotationInterval { get; set; }

    public string? LastRotationDate { get; set; }

    public string? NextRotationDate { get; set; }

    public string? PrimaryKeyVersion { get; set; }

    public string? MaterialExpireTime { get; set; }

    [JsonPropertyName("DKMSInstanceId")]
    public string? DkmsInstanceId { get; set; }
}

internal sealed class KmsListKeysResponse
{
    public string? RequestId { get; set; }

    public int TotalCount { get; set; }

    public int PageNumber { get; set; }

    public int PageSize { get; set; }

    public KmsKeyList? Keys { get; set; }
}

internal sealed class KmsKeyList
{
    public List<KmsWireKey?>? Key { get; set; }
}

internal sealed class KmsWireKey
{
    public string? KeyId { get; set; }

    public string? KeyArn { get; set; }
}

internal sealed class KmsListAliasesResponse
{
    public string? RequestId { get; set; }

    public int TotalCount { get; set; }

    public int PageNumber { get; set; }

    public int PageSize { get; set; }

    public KmsAliasList? Aliases { get; set; }
}

internal sealed class KmsAliasList
{
    public List<KmsWireAlias?>? Alias { get; set; }
}

internal sealed class KmsWireAlias
{
    public string? AliasName { get; set; }

    public string? KeyId { get; set; }

    public string? AliasArn { get; set; }
}

internal sealed class KmsWriteResponse
{
    public string? RequestId { get; set; }
}

internal sealed class KmsGetSecretValueResponse
{
    public string? RequestId { get; set; }

    public string? SecretName { get; set; }

    public string? VersionId { get; set; }

    public string? SecretData { get; set; }

    public string? SecretDataType { get; set; }
}

internal sealed class KmsWireFilter
{
    public required string Key { get; set; }

    public required IReadOnlyList<string> Values { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(KmsDescribeKeyResponse))]
[JsonSerializable(typeof(KmsListKeysResponse))]
[JsonSerializable(typeof(KmsListAliasesResponse))]
[JsonSerializable(typeof(KmsWriteResponse))]
[JsonSerializable(typeof(KmsGetSecretValueResponse))]
[JsonSerializable(typeof(List<KmsWireFilter>))]
internal sealed partial class KmsJsonContext : JsonSerializerContext;
