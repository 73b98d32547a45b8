using System.Text.Json;
using System.Text.Json.Serialization;

namespace AckFc.AlibabaCloud.ResourceManager;

// Wire shapes of ResourceManager 2020-03-31 ListAccounts (PascalCase; matching is case-insensitive). Only the fields
// AckFc reads; the others (JoinMethod, JoinTime, Type, Tags, …) are skipped.

internal sealed class RmListAccountsResponse
{
    public string? RequestId { get; set; }

    public int PageNumber { get; set; }

    public int PageSize { get; set; }

    public int TotalCount { get; set; }

    public RmAccountList? Accounts { get; set; }
}

internal sealed class RmAccountList
{
    public List<RmWireAccount?>? Account { get; set; }
}

internal sealed class RmWireAccount
{
    public string? AccountId { get; set; }

    public string? DisplayName { get; set; }

    public string? Status { get; set; }

    public string? FolderId { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(RmListAccountsResponse))]
internal sealed partial class ResourceManagerJsonContext : JsonSerializerContext;
