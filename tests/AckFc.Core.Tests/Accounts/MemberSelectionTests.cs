using AckFc.Core.Accounts;

namespace AckFc.Core.Tests.Accounts;

/// <summary>Which members of a directory listing are swept, and the reason each other one is not.</summary>
public sealed class MemberSelectionTests
{
    private static AccountOptions Options(string? folders = null, string? exclude = null)
    {
        var options = new AccountOptions { AccountList = "resource-directory", FolderList = folders, ExcludeList = exclude };
        options.Normalise();
        return options;
    }

    private static MemberAccount Member(string id, string status = "CreateSuccess", string? folder = "fd-root", string? path = null) =>
        new(id, "acct " + id, status, folder, path);

    [Theory]
    [InlineData("CreateSuccess", true)]
    [InlineData("InviteSuccess", true)]
    [InlineData("PromoteSuccess", true)]
    [InlineData("CreateVerifying", false)]
    [InlineData("PromoteVerifying", false)]
    [InlineData("CreateFailed", false)]
    [InlineData("PromoteExpired", false)]
    [InlineData("PromoteCancelled", false)]
    [InlineData("", false)]
    public void Status_OnlyJoinedMembersSwept(string status, bool swept)
    {
        var (selected, skipped) = MemberSelection.Select([Member("1000000000000001", status)], Options());

        Assert.Equal(swept, selected.Count == 1);
        Assert.Equal(swept ? [] : [MemberSkip.NotJoined], skipped.Select(s => s.Reason));
    }

    [Fact]
    public void Folders_DirectOrDeeperInsideKept_OthersSkipped()
    {
        MemberAccount[] directory =
        [
            Member("1000000000000001", folder: "fd-prod", path: "rd-1/r-1/fd-prod/1000000000000001"),
            Member("1000000000000002", folder: "fd-team", path: "rd-1/r-1/fd-prod/fd-team/1000000000000002"),
            Member("1000000000000003", folder: "fd-dev", path: "rd-1/r-1/fd-dev/1000000000000003"),
            Member("1000000000000004", folder: "fd-prod", path: null),
        ];

        var (selected, skipped) = MemberSelection.Select(directory, Options(folders: "fd-prod"));

        Assert.Equal(["1000000000000001", "1000000000000002", "1000000000000004"], selected.Select(a => a.AccountId));
        Assert.Equal(("1000000000000003", MemberSkip.OutsideFolders), skipped.Select(s => (s.Account.AccountId, s.Reason)).Single());
    }

    [Fact]
    public void Excluded_WinsOverEverything_AndARepeatedIdIsSweptOnce()
    {
        MemberAccount[] directory = [Member("1000000000000001"), Member("1000000000000002"), Member("1000000000000001"), Member("1000000000000003", "CreateFailed")];

        var (selected, skipped) = MemberSelection.Select(directory, Options(exclude: "1000000000000002,1000000000000003"));

        Assert.Equal(["1000000000000001"], selected.Select(a => a.AccountId));
        Assert.Equal([("1000000000000002", MemberSkip.Excluded), ("1000000000000003", MemberSkip.Excluded)], skipped.Select(s => (s.Account.AccountId, s.Reason)));
    }
}
