using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AckFc.AlibabaCloud.Http;

namespace AckFc.AlibabaCloud.Kms;

/// <summary>KMS over RPC: <c>POST /</c> with every parameter in the query and an empty body.</summary>
internal sealed class KmsClient(AcsTransport transport) : IKmsClient
{
    internal const int PageSize = 100;

    private const int MaxPages = 10_000;

    public async Task<KmsKeyMetadata> DescribeKeyAsync(string regionId, string keyIdOrAlias, CancellationToken cancellationToken = default)
    {
        AlibabaCloudRegion.EnsureValid(regionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyIdOrAlias);
        var request = AcsRequest.Rpc(AcsService.Kms, regionId, "DescribeKey", isWrite: false, new KeyValuePair<string, string>("KeyId", keyIdOrAlias));
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var result = AcsTransport.Deserialize(request, response, KmsJsonContext.Default.KmsDescribeKeyResponse);
        return Map(request, response, result.KeyMetadata);
    }

    public IAsyncEnumerable<KmsKeyReference> ListKeysAsync(
        string regionId, IReadOnlyList<KmsKeyFilter> filters, CancellationToken cancellationToken = default)
    {
        AlibabaCloudRegion.EnsureValid(regionId);
        ArgumentNullException.ThrowIfNull(filters);
        string? filtersJson = null;
        if (filters.Count > 0)
        {
            var wire = filters.Select(f => new KmsWireFilter { Key = f.Key, Values = f.Values }).ToList();
            filtersJson = JsonSerializer.Serialize(wire, KmsJsonContext.Default.ListKmsWireFilter);
        }

        return PagesAsync(
            regionId, "ListKeys", filtersJson, KmsJsonContext.Default.KmsListKeysResponse,
            page => (page.TotalCount, page.PageNumber, page.PageSize, page.Keys?.Key ?? []),
            (request, response, key) => string.IsNullOrEmpty(key?.KeyId)
                ? throw AcsTransport.InvalidResponse(request, response, "A key in the answer has no KeyId.")
                : new KmsKeyReference(key.KeyId, NullIfEmpty(key.KeyArn)),
            cancellationToken);
    }

    public IAsyncEnumerable<KmsAlias> ListAliasesAsync(string regionId, CancellationToken cancellationToken = default)
    {
        AlibabaCloudRegion.EnsureValid(regionId);
        return PagesAsync(
            regionId, "ListAliases", null, KmsJsonContext.Default.KmsListAliasesResponse,
            page => (page.TotalCount, page.PageNumber, page.PageSize, page.Aliases?.Alias ?? []),
            (request, response, alias) => string.IsNullOrEmpty(alias?.AliasName) || string.IsNullOrEmpty(alias.KeyId)
                ? throw AcsTransport.InvalidResponse(request, response, "An alias in the answer has no AliasName or KeyId.")
                : new KmsAlias(alias.AliasName, alias.KeyId, NullIfEmpty(alias.AliasArn)),
            cancellationToken);
    }

    public Task<string?> CancelKeyDeletionAsync(string regionId, string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        return WriteAsync(regionId, "CancelKeyDeletion", cancellationToken, new KeyValuePair<string, string>("KeyId", keyId));
    }

    public Task<string?> SetDeletionProtectionAsync(
        string regionId, string keyArn, bool enable, string? description, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyArn);
        KeyValuePair<string, string>[] query = string.IsNullOrEmpty(description)
            ? [new("ProtectedResourceArn", keyArn), new("EnableDeletionProtection", enable ? "true" : "false")]
            :
            [
                new("ProtectedResourceArn", keyArn),
                new("EnableDeletionProtection", enable ? "true" : "false"),
                new("DeletionProtectionDescription", description),
            ];
        return WriteAsync(regionId, "SetDeletionProtection", cancellationToken, query);
    }

    public Task<string?> EnableKeyAsync(string regionId, string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        return WriteAsync(regionId, "EnableKey", cancellationToken, new KeyValuePair<string, string>("KeyId", keyId));
    }

    public async Task<KmsSecretValue> GetSecretValueAsync(string regionId, string secretName, CancellationToken cancellationToken = default)
    {
        AlibabaCloudRegion.EnsureValid(regionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        var request = AcsRequest.Rpc(
            AcsService.Kms, regionId, "GetSecretValue", isWrite: false,
            new KeyValuePair<string, string>("SecretName", secretName), new KeyValuePair<string, string>("VersionStage", "ACSCurrent"));
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);

        // Not AcsTransport.Deserialize: its errors quote the start of the body, which here is the secret.
        KmsGetSecretValueResponse? result;
        try
        {
            result = JsonSerializer.Deserialize(response.Body, KmsJsonContext.Default.KmsGetSecretValueResponse);
        }
        catch (JsonException)
        {
            result = null;
        }

        if (result is null || string.IsNullOrEmpty(result.SecretData))
        {
            throw new AlibabaCloudException(
                AlibabaCloudErrorKind.Transient, AcsErrors.InvalidResponseCode,
                $"GetSecretValue for secret '{secretName}' answered without a SecretData string (the body is not shown: it may hold the secret).",
                response.StatusCode, response.RequestIdHeader, request.Action);
        }

        return new KmsSecretValue(
            string.IsNullOrEmpty(result.SecretName) ? secretName : result.SecretName, NullIfEmpty(result.VersionId), result.SecretData, NullIfEmpty(result.SecretDataType));
    }

    private async Task<string?> WriteAsync(
        string regionId, string action, CancellationToken cancellationToken, params KeyValuePair<string, string>[] query)
    {
        AlibabaCloudRegion.EnsureValid(regionId);
        var request = AcsRequest.Rpc(AcsService.Kms, regionId, action, isWrite: true, query);
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.RequestId;
    }

    private async IAsyncEnumerable<TItem> PagesAsync<TPage, TWire, TItem>(
        string regionId,
        string action,
        string? filtersJson,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TPage> type,
        Func<TPage, (int Total, int Number, int Size, List<TWire?> Items)> read,
        Func<AcsRequest, AcsResponse, TWire?, TItem> map,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TPage : class
    {
        for (var page = 1; page <= MaxPages; page++)
        {
            List<KeyValuePair<string, string>> query =
            [
                new("PageNumber", page.ToString(CultureInfo.InvariantCulture)),
                new("PageSize", PageSize.ToString(CultureInfo.InvariantCulture)),
            ];
            if (filtersJson is not null)
            {
                query.Add(new("Filters", filtersJson));
            }

            var request = new AcsRequest(AcsService.Kms, regionId, action, HttpMethod.Post, "/", query);
            using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var (total, number, size, items) = read(AcsTransport.Deserialize(request, response, type));
            foreach (var item in items)
            {
                yield return map(request, response, item);
            }

            number = number > 0 ? number : page;
            size = size > 0 ? size : PageSize;
            if (items.Count == 0 || (long)number * size >= total)
            {
                yield break;
            }
        }

        throw new AlibabaCloudException(
            AlibabaCloudErrorKind.Transient, AcsErrors.InvalidResponseCode,
            $"{action} still reported more entries after {MaxPages} pages.", action: action);
    }

    private static KmsKeyMetadata Map(AcsRequest request, AcsResponse response, KmsWireKeyMetadata? wire)
    {
        if (wire is null || string.IsNullOrEmpty(wire.KeyId) || string.IsNullOrEmpty(wire.KeyState))
        {
            throw AcsTransport.InvalidResponse(request, response, "The answer has no KeyMetadata with KeyId and KeyState.");
        }

        DateTimeOffset? Date(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            return DateTimeOffset.TryParse(
                value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                ? parsed
                : throw AcsTransport.InvalidResponse(request, response, $"KeyMetadata.{field} '{value}' is not a date.");
        }

        return new KmsKeyMetadata
        {
            KeyId = wire.KeyId,
            Arn = NullIfEmpty(wire.Arn),
            KeyState = wire.KeyState,
            KeySpec = NullIfEmpty(wire.KeySpec),
            KeyUsage = NullIfEmpty(wire.KeyUsage),
            Origin = NullIfEmpty(wire.Origin),
            ProtectionLevel = NullIfEmpty(wire.ProtectionLevel),
            Creator = NullIfEmpty(wire.Creator),
            Description = NullIfEmpty(wire.Description),
            CreationDate = Date(wire.CreationDate, "CreationDate"),
            DeleteDate = Date(wire.DeleteDate, "DeleteDate"),
            DeletionProtection = string.Equals(wire.DeletionProtection, "Enabled", StringComparison.OrdinalIgnoreCase),
            DeletionProtectionDescription = NullIfEmpty(wire.DeletionProtectionDescription),
            AutomaticRotation = NullIfEmpty(wire.AutomaticRotation),
            RotationInterval = NullIfEmpty(wire.RotationInterval),
            LastRotationDate = Date(wire.LastRotationDate, "LastRotationDate"),
            NextRotationDate = Date(wire.NextRotationDate, "NextRotationDate"),
            PrimaryKeyVersion = NullIfEmpty(wire.PrimaryKeyVersion),
            MaterialExpireTime = Date(wire.MaterialExpireTime, "MaterialExpireTime"),
            DkmsInstanceId = NullIfEmpty(wire.DkmsInstanceId),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
