using System.Collections.Concurrent;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Judging;
using AckFc.Core.Policy;

namespace AckFc.Core.Evidence;

/// <summary>
/// Reads what the key rules need to know about keys, with the fewest KMS calls: per region one service-key listing,
/// the alias listing only when the policy's allow-list names aliases or the caller named an alias, and one
/// <c>DescribeKey</c> per distinct key. Every orchestrator reads key evidence through this class.
/// </summary>
internal sealed class KeyEvidenceReader(IKmsClient kms)
{
    /// <summary>Aliases under this prefix belong to keys a cloud service created for itself.</summary>
    public const string ServiceAliasPrefix = "alias/acs/";

    private const string AliasPrefix = "alias/";

    /// <summary>
    /// One key a change names (an id, an alias or an ARN). It is described first, because that resolves an alias; a
    /// key that cannot be described needs no listing. Returns the evidence, and the failure of a listing the evidence
    /// lacks because of it (null when none failed). Cancellation goes on to the caller. Without
    /// <paramref name="readServiceKeys"/> the service-key listing is not read and ACKFC-KEY-007 stays unknown (the key
    /// guard, which must answer within a few calls and does not judge that rule).
    /// </summary>
    public async Task<(KeyEvidence Evidence, AlibabaCloudException? ListingFailure)> ReadOneAsync(
        string region, string keyIdOrAlias, AckFcPolicy policy, CancellationToken token, bool readServiceKeys = true)
    {
        KmsKeyMetadata metadata;
        try
        {
            metadata = await kms.DescribeKeyAsync(region, keyIdOrAlias, token);
        }
        catch (AlibabaCloudException e)
        {
            return (KeyEvidence.Failed(e), null);
        }

        AlibabaCloudException? listingFailure = null;
        bool? isService = null;
        try
        {
            if (readServiceKeys)
            {
                isService = (await ServiceKeysAsync(region, metadata.KeyId, token)).Contains(metadata.KeyId);
            }
        }
        catch (AlibabaCloudException e)
        {
            listingFailure = e;
        }

        List<string>? aliases = null;
        var named = keyIdOrAlias.StartsWith(AliasPrefix, StringComparison.Ordinal);
        if (NeedsAliases(policy, named))
        {
            aliases = named ? [keyIdOrAlias] : [];
            try
            {
                foreach (var alias in (await AliasesAsync(region, token))[metadata.KeyId])
                {
                    if (!aliases.Contains(alias))
                    {
                        aliases.Add(alias);
                    }
                }
            }
            catch (AlibabaCloudException e)
            {
                // Without the listing only the alias the caller named can match the allow-list.
                listingFailure ??= e;
            }
        }

        return (Evidence(metadata, isService, aliases), listingFailure);
    }

    /// <summary>
    /// Every key the clusters of one region use (their key ids, as ACK reports them). A failed or cut-short listing
    /// is returned, not thrown: the evidence then lacks what the listing would have told. Keys not described by the
    /// time <paramref name="token"/> is cancelled are missing from <see cref="RegionKeyEvidence.Keys"/>.
    /// </summary>
    public async Task<RegionKeyEvidence> ReadRegionAsync(
        string region, IReadOnlyList<string> keyIds, AckFcPolicy policy, int concurrency, CancellationToken token)
    {
        HashSet<string>? serviceKeys = null;
        Exception? serviceFailure = null;
        try
        {
            serviceKeys = await ServiceKeysAsync(region, null, token);
        }
        catch (Exception e) when (e is AlibabaCloudException or OperationCanceledException)
        {
            serviceFailure = e;
        }

        ILookup<string, string>? aliases = null;
        Exception? aliasFailure = null;
        if (NeedsAliases(policy, keyIds.Any(k => k.StartsWith(AliasPrefix, StringComparison.Ordinal))))
        {
            try
            {
                aliases = await AliasesAsync(region, token);
            }
            catch (Exception e) when (e is AlibabaCloudException or OperationCanceledException)
            {
                aliasFailure = e;
            }
        }

        var described = new ConcurrentDictionary<string, KeyEvidence>(StringComparer.Ordinal);
        try
        {
            await Parallel.ForEachAsync(
                keyIds,
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = token },
                async (keyId, ct) =>
                {
                    try
                    {
                        var metadata = await kms.DescribeKeyAsync(region, keyId, ct);
                        described[keyId] = Evidence(metadata, serviceKeys?.Contains(metadata.KeyId), aliases?[metadata.KeyId].ToList());
                    }
                    catch (AlibabaCloudException e)
                    {
                        described[keyId] = KeyEvidence.Failed(e);
                    }
                });
        }
        catch (OperationCanceledException)
        {
            // Keys not described by the deadline stay unread.
        }

        return new RegionKeyEvidence(described, serviceFailure, aliasFailure);
    }

    /// <summary>The evidence of a described key: a service key by the listing, or by an <c>alias/acs/…</c> alias.</summary>
    internal static KeyEvidence Evidence(KmsKeyMetadata metadata, bool? isService, IReadOnlyList<string>? aliases) =>
        KeyEvidence.Read(
            metadata,
            aliases is not null && aliases.Any(a => a.StartsWith(ServiceAliasPrefix, StringComparison.Ordinal)) ? true : isService,
            aliases);

    /// <summary>Whether reading a key for this policy lists the region's aliases.</summary>
    public static bool NeedsAliases(AckFcPolicy policy, bool aliasNamed) => policy.Keys.NeedsAliases || aliasNamed;

    /// <summary>The region's service keys (<c>CreatorType=Service</c>); stops early once <paramref name="wanted"/> is seen.</summary>
    private async Task<HashSet<string>> ServiceKeysAsync(string region, string? wanted, CancellationToken token)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in kms.ListKeysAsync(region, [KmsKeyFilter.ServiceKeys], token))
        {
            set.Add(key.KeyId);
            if (key.KeyId == wanted)
            {
                break;
            }
        }

        return set;
    }

    private async Task<ILookup<string, string>> AliasesAsync(string region, CancellationToken token)
    {
        var list = new List<KmsAlias>();
        await foreach (var alias in kms.ListAliasesAsync(region, token))
        {
            list.Add(alias);
        }

        return list.ToLookup(a => a.KeyId, a => a.AliasName, StringComparer.Ordinal);
    }
}

/// <summary>The keys of one region, and the listings that failed (their evidence lacks what they would have told).</summary>
/// <param name="Keys">Per key id, what was read; keys not reached before the deadline are missing.</param>
/// <param name="ServiceKeyListingFailure">The service-key listing's failure (then ACKFC-KEY-007 is unknown); null when it succeeded.</param>
/// <param name="AliasListingFailure">The alias listing's failure; null when it succeeded or was not needed.</param>
internal sealed record RegionKeyEvidence(
    IReadOnlyDictionary<string, KeyEvidence> Keys,
    Exception? ServiceKeyListingFailure,
    Exception? AliasListingFailure);
