using System.Text.Json;
using System.Text.Json.Serialization;

namespace AckFc.AlibabaCloud.Cs;

// Wire shapes of CS 2015-12-15 (snake_case). Only the fields AckFc reads are declared; the rest is ignored.

internal sealed class CsClustersPage
{
    public List<CsCluster?>? Clusters { get; set; }

    public CsPageInfo? PageInfo { get; set; }
}

internal sealed class CsPageInfo
{
    public int PageNumber { get; set; }

    public int PageSize { get; set; }

    public int TotalCount { get; set; }
}

internal sealed class CsCluster
{
    public string? ClusterId { get; set; }

    public string? Name { get; set; }

    public string? RegionId { get; set; }

    public string? State { get; set; }

    public string? ClusterType { get; set; }

    public string? ClusterSpec { get; set; }

    public string? Profile { get; set; }

    public List<CsTag?>? Tags { get; set; }

    /// <summary>Documented as a JSON string; an object is accepted too.</summary>
    public JsonElement? MetaData { get; set; }

    public JsonElement? Updated { get; set; }
}

internal sealed class CsTag
{
    public string? Key { get; set; }

    public string? Value { get; set; }
}

internal sealed class CsUpdateKmsEncryptionBody
{
    [JsonPropertyOrder(0)]
    public bool DisableEncryption { get; set; }

    [JsonPropertyOrder(1)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? KmsKeyId { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(CsClustersPage))]
[JsonSerializable(typeof(CsCluster))]
[JsonSerializable(typeof(CsUpdateKmsEncryptionBody))]
internal sealed partial class CsJsonContext : JsonSerializerContext;
