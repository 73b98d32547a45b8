using System.Globalization;
using System.Runtime.CompilerServices;
using AckFc.AlibabaCloud.Http;

namespace AckFc.AlibabaCloud.ResourceManager;

/// <summary>ResourceManager over RPC: <c>POST /</c> with every parameter in the query and an empty body, signed V3.</summary>
internal sealed class ResourceManagerClient(AcsTransport transport) : IResourceManagerClient
{
    // A directory holds at most a few thousand members; this only stops an endpoint that never says "last page".
    private const int MaxPages = 10_000;

    public async Task<ResourceDirectoryAccountPage> ListAccountsPageAsync(int pageNumber, int pageSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNumber, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, ResourceManagerLimits.MaxPageSize);

        var request = AcsRequest.Rpc(
            AcsService.ResourceManager, AcsRequest.CentralRegion, "ListAccounts", isWrite: false,
            new KeyValuePair<string, string>("PageNumber", pageNumber.ToString(CultureInfo.InvariantCulture)),
            new KeyValuePair<string, string>("PageSize", pageSize.ToString(CultureInfo.InvariantCulture)));
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var page = AcsTransport.Deserialize(request, response, ResourceManagerJsonContext.Default.RmListAccountsResponse);
        var accounts = (page.Accounts?.Account ?? []).Select(a => string.IsNullOrEmpty(a?.AccountId)
                ? throw AcsTransport.InvalidResponse(request, response, "An account in the answer has no AccountId.")
                : new ResourceDirectoryAccount(a.AccountId, NullIfEmpty(a.DisplayName), NullIfEmpty(a.Status), NullIfEmpty(a.FolderId)))
            .ToList();
        return new ResourceDirectoryAccountPage(
            accounts,
            page.PageNumber > 0 ? page.PageNumber : pageNumber,
            page.PageSize > 0 ? page.PageSize : pageSize,
            page.TotalCount,
            NullIfEmpty(page.RequestId) ?? response.RequestIdHeader);
    }

    public async IAsyncEnumerable<ResourceDirectoryAccount> ListAccountsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var number = 1; number <= MaxPages; number++)
        {
            var page = await ListAccountsPageAsync(number, ResourceManagerLimits.MaxPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var account in page.Accounts)
            {
                yield return account;
            }

            // Our own page number: an endpoint that echoes a wrong one must not make the loop run on or stop early.
            if (page.Accounts.Count == 0 || (long)number * page.PageSize >= page.TotalCount)
            {
                yield break;
            }
        }

        throw new AlibabaCloudException(
            AlibabaCloudErrorKind.Transient, AcsErrors.InvalidResponseCode,
            $"ListAccounts still reported more members after {MaxPages} pages.", action: "ListAccounts");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
