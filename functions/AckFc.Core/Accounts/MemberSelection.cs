namespace AckFc.Core.Accounts;

/// <summary>A member of the Resource Directory as <c>ListAccounts</c> describes it (the fields the selection needs).</summary>
/// <param name="Path">
/// <c>ResourceDirectoryPath</c>, e.g. <c>rd-k3/r-Wm/fd-bVaRIG/1817…</c>: the folders above the account, nearest last.
/// </param>
public sealed record MemberAccount(string AccountId, string? DisplayName, string? Status, string? FolderId, string? Path = null);

/// <summary>Why a member of the directory is not swept.</summary>
public enum MemberSkip
{
    /// <summary>Its status is not a joined one (an invitation or a creation still pending, failed or cancelled).</summary>
    NotJoined,

    /// <summary>Outside every folder of <c>ACKFC_RD_FOLDERS</c>.</summary>
    OutsideFolders,

    /// <summary>Named in <c>ACKFC_ACCOUNTS_EXCLUDE</c>.</summary>
    Excluded,
}

/// <summary>
/// Which members of a Resource Directory a sweep covers: a pure decision over the listing and the settings, so that
/// the reasons a member is left out can be reported and tested without a cloud.
/// </summary>
public static class MemberSelection
{
    /// <summary>
    /// The statuses of a member that has joined: created by the directory, invited and accepted, or promoted. Every
    /// other status (<c>…Verifying</c>, <c>…Failed</c>, <c>…Expired</c>, <c>…Cancelled</c>) is a member that is not there yet.
    /// </summary>
    public static readonly IReadOnlySet<string> JoinedStatuses = new HashSet<string>(["CreateSuccess", "InviteSuccess", "PromoteSuccess"], StringComparer.Ordinal);

    /// <summary>
    /// The members to sweep, in the directory's order and each once, and those left out with the reason. An account
    /// whose id appears twice in the listing (a page boundary moving while it is read) is kept once.
    /// </summary>
    public static (IReadOnlyList<MemberAccount> Swept, IReadOnlyList<(MemberAccount Account, MemberSkip Reason)> Skipped) Select(
        IEnumerable<MemberAccount> directory, AccountOptions options)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        var excluded = new HashSet<string>(options.Excluded, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var swept = new List<MemberAccount>();
        var skipped = new List<(MemberAccount, MemberSkip)>();
        foreach (var account in directory)
        {
            if (!seen.Add(account.AccountId))
            {
                continue;
            }

            if (excluded.Contains(account.AccountId))
            {
                skipped.Add((account, MemberSkip.Excluded));
            }
            else if (account.Status is null || !JoinedStatuses.Contains(account.Status))
            {
                skipped.Add((account, MemberSkip.NotJoined));
            }
            else if (options.Folders.Count > 0 && !options.Folders.Any(folder => IsInside(account, folder)))
            {
                skipped.Add((account, MemberSkip.OutsideFolders));
            }
            else
            {
                swept.Add(account);
            }
        }

        return (swept, skipped);
    }

    /// <summary>Whether the account sits in <paramref name="folder"/>, directly or in a folder below it.</summary>
    public static bool IsInside(MemberAccount account, string folder) =>
        string.Equals(account.FolderId, folder, StringComparison.Ordinal)
        || (account.Path ?? string.Empty).Split('/').Contains(folder, StringComparer.Ordinal);
}
