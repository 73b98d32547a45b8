namespace AckFc.AlibabaCloud.ResourceManager;

/// <summary>A member of the Resource Directory, as <c>ListAccounts</c> describes it.</summary>
/// <param name="AccountId">The member's account id.</param>
/// <param name="DisplayName">Its display name.</param>
/// <param name="Status">See <see cref="ResourceDirectoryAccountStatuses"/>.</param>
/// <param name="FolderId">The folder it is in (<c>fd-…</c>).</param>
public sealed record ResourceDirectoryAccount(string AccountId, string? DisplayName, string? Status, string? FolderId)
{
    /// <summary>True when the member has joined the directory (see <see cref="ResourceDirectoryAccountStatuses.IsJoined"/>).</summary>
    public bool IsJoined => ResourceDirectoryAccountStatuses.IsJoined(Status);
}

/// <summary>One page of <c>ListAccounts</c>.</summary>
public sealed record ResourceDirectoryAccountPage(
    IReadOnlyList<ResourceDirectoryAccount> Accounts, int PageNumber, int PageSize, int TotalCount, string? RequestId);

/// <summary>
/// Values of <see cref="ResourceDirectoryAccount.Status"/>. Besides these, a member being created, invited or
/// promoted passes through <c>…Verifying</c>, <c>…Failed</c>, <c>…Expired</c> and <c>…Cancelled</c> states.
/// </summary>
public static class ResourceDirectoryAccountStatuses
{
    /// <summary>Created inside the directory.</summary>
    public const string CreateSuccess = "CreateSuccess";

    /// <summary>Invited and accepted.</summary>
    public const string InviteSuccess = "InviteSuccess";

    /// <summary>Upgraded from a resource account to a cloud account.</summary>
    public const string PromoteSuccess = "PromoteSuccess";

    /// <summary>
    /// Whether a member in <paramref name="status"/> belongs to the directory and can be read: one of the three
    /// success states. Any other state (pending, failed, expired, cancelled) is not yet, or no longer, a member.
    /// </summary>
    public static bool IsJoined(string? status) => status is CreateSuccess or InviteSuccess or PromoteSuccess;
}
