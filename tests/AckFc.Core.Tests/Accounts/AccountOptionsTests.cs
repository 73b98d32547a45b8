using AckFc.Core.Accounts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Tests.Accounts;

/// <summary><c>ACKFC_ACCOUNTS</c> and its companions as the host binds them: each form, and each wrong value named.</summary>
public sealed class AccountOptionsTests
{
    private static AccountOptions Resolve(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)).Append(new("ACKFC_REGIONS", "cn-hangzhou")))
            .Build();
        using var services = new ServiceCollection().AddLogging().AddAckFcCore(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<AccountOptions>>().Value;
    }

    private static string Refused(params (string Key, string Value)[] settings) =>
        Assert.Throws<OptionsValidationException>(() => Resolve(settings)).Message;

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" self ")]
    [InlineData("SELF")]
    public void Default_Self_NoMembersTheAuditRole(string? value)
    {
        var options = value is null ? Resolve() : Resolve(("ACKFC_ACCOUNTS", value));

        Assert.Equal(AccountScope.Self, options.Scope);
        Assert.False(options.HasMembers);
        Assert.Equal("AckFcAuditRole", options.Role);
        Assert.Empty(options.Accounts);
    }

    [Fact]
    public void List_IdsInOrderOnceWithoutTheExcluded_SelfOnlyWhenListed()
    {
        var options = Resolve(("ACKFC_ACCOUNTS", "1111111111111111, 2222222222222222,1111111111111111,3333333333333333"),
            ("ACKFC_ACCOUNTS_EXCLUDE", "3333333333333333"));

        Assert.Equal(AccountScope.List, options.Scope);
        Assert.Equal(["1111111111111111", "2222222222222222"], options.Accounts);
        Assert.False(options.IncludesSelf);
        Assert.True(options.HasMembers);

        var withSelf = Resolve(("ACKFC_ACCOUNTS", "self,1111111111111111"));
        Assert.True(withSelf.IncludesSelf);
        Assert.Equal(["1111111111111111"], withSelf.Accounts);
    }

    [Fact]
    public void ResourceDirectory_FoldersExclusionsAndRole()
    {
        var options = Resolve(("ACKFC_ACCOUNTS", "resource-directory"), ("ACKFC_RD_FOLDERS", "fd-prod01,fd-shared2"),
            ("ACKFC_ACCOUNTS_EXCLUDE", "1111111111111111"), ("ACKFC_MEMBER_ROLE", "ops-audit"));

        Assert.Equal(AccountScope.ResourceDirectory, options.Scope);
        Assert.True(options.HasMembers);
        Assert.Equal(["fd-prod01", "fd-shared2"], options.Folders);
        Assert.Equal(["1111111111111111"], options.Excluded);
        Assert.Equal("acs:ram::2222222222222222:role/ops-audit", options.RoleArn("2222222222222222"));
    }

    [Theory]
    [InlineData("ACKFC_ACCOUNTS", "1111111111111111,prod", "ACKFC_ACCOUNTS: 'prod' is not an account id")]
    [InlineData("ACKFC_ACCOUNTS", "resource-directory,1111111111111111", "ACKFC_ACCOUNTS: resource-directory stands alone")]
    [InlineData("ACKFC_MEMBER_ROLE", "acs:ram::1111111111111111:role/audit", "ACKFC_MEMBER_ROLE: 'acs:ram::1111111111111111:role/audit' is not a RAM role name")]
    [InlineData("ACKFC_RD_FOLDERS", "fd-prod01", "ACKFC_RD_FOLDERS applies only with ACKFC_ACCOUNTS=resource-directory")]
    [InlineData("ACKFC_ACCOUNTS_EXCLUDE", "1111111111111111", "ACKFC_ACCOUNTS_EXCLUDE applies only with a list of accounts or resource-directory")]
    public void BadValue_FailsAtStartNamingTheVariable(string key, string value, string expected)
    {
        Assert.Contains(expected, Refused((key, value)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ACKFC_RD_FOLDERS", "prod", "ACKFC_RD_FOLDERS: 'prod' is not a folder id")]
    [InlineData("ACKFC_ACCOUNTS_EXCLUDE", "12ab", "ACKFC_ACCOUNTS_EXCLUDE: '12ab' is not an account id")]
    public void BadCompanion_OfResourceDirectory_Named(string key, string value, string expected)
    {
        Assert.Contains(expected, Refused(("ACKFC_ACCOUNTS", "resource-directory"), (key, value)), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryListedAccountExcluded_NothingToSweep_Refused()
    {
        Assert.Contains("nothing would be swept",
            Refused(("ACKFC_ACCOUNTS", "1111111111111111"), ("ACKFC_ACCOUNTS_EXCLUDE", "1111111111111111")), StringComparison.Ordinal);
    }
}
