namespace AckFc.AlibabaCloud.ResourceManager;

/// <summary>
/// The ResourceManager (2020-03-31) operations AckFc uses to enumerate a Resource Directory. The service is central
/// (one endpoint, no region). Only the management account, or a delegated administrator, may list the members.
/// Every method throws <see cref="AlibabaCloudException"/> for an answer of the cloud that is not a success.
/// </summary>
public interface IResourceManagerClient
{
    /// <summary>One page of <c>ListAccounts</c>.</summary>
    /// <param name="pageNumber">From 1.</param>
    /// <param name="pageSize">1 to <see cref="ResourceManagerLimits.MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ResourceDirectoryAccountPage> ListAccountsPageAsync(int pageNumber, int pageSize, CancellationToken cancellationToken = default);

    /// <summary>Every member of the directory: <c>ListAccounts</c>, page after page of the largest size.</summary>
    IAsyncEnumerable<ResourceDirectoryAccount> ListAccountsAsync(CancellationToken cancellationToken = default);
}

/// <summary>The bounds of ResourceManager's paging parameters.</summary>
public static class ResourceManagerLimits
{
    /// <summary>The largest <c>PageSize</c> accepted.</summary>
    public const int MaxPageSize = 100;
}
