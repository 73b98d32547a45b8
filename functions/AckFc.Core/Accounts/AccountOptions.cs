using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Accounts;

/// <summary>Which accounts a sweep covers (<c>ACKFC_ACCOUNTS</c>).</summary>
public enum AccountScope
{
    /// <summary><c>self</c>: the account whose credentials the function runs with (the behaviour before accounts).</summary>
    Self,

    /// <summary>A list of account ids; <c>self</c> in the list adds the function's own account.</summary>
    List,

    /// <summary><c>resource-directory</c>: every joined member that ResourceManager <c>ListAccounts</c> returns.</summary>
    ResourceDirectory,
}

/// <summary>
/// The accounts of a sweep and how each member is entered, bound from environment variables and validated when the
/// host starts; every message names the variable (contracts §8).
/// </summary>
public sealed class AccountOptions : IValidatableObject
{
    /// <summary>The role assumed in each member when <c>ACKFC_MEMBER_ROLE</c> is not set: the audit role docs/deployment.md creates.</summary>
    public const string DefaultMemberRole = "AckFcAuditRole";

    public const string SelfValue = "self", ResourceDirectoryValue = "resource-directory";

    // ACKFC_ACCOUNTS split, as given (the validator names what is wrong in it).
    private List<string> accountTokens = [];

    /// <summary><c>ACKFC_ACCOUNTS</c>: <c>self</c>, a comma-separated list of account ids, or <c>resource-directory</c>.</summary>
    [ConfigurationKeyName("ACKFC_ACCOUNTS")]
    public string? AccountList { get; set; }

    /// <summary><c>ACKFC_MEMBER_ROLE</c>: the RAM role name assumed in each member (<c>acs:ram::{accountId}:role/{name}</c>).</summary>
    [ConfigurationKeyName("ACKFC_MEMBER_ROLE")]
    public string? MemberRole { get; set; }

    /// <summary><c>ACKFC_RD_FOLDERS</c>: with <c>resource-directory</c>, only members inside these folders (at any depth).</summary>
    [ConfigurationKeyName("ACKFC_RD_FOLDERS")]
    public string? FolderList { get; set; }

    /// <summary><c>ACKFC_ACCOUNTS_EXCLUDE</c>: account ids never swept, whatever else selects them.</summary>
    [ConfigurationKeyName("ACKFC_ACCOUNTS_EXCLUDE")]
    public string? ExcludeList { get; set; }

    /// <summary>The scope <see cref="AccountList"/> names.</summary>
    public AccountScope Scope { get; set; } = AccountScope.Self;

    /// <summary>With <see cref="AccountScope.List"/>: the member account ids, in the order given, without repeats.</summary>
    public IReadOnlyList<string> Accounts { get; set; } = [];

    /// <summary>With <see cref="AccountScope.List"/>: whether <c>self</c> is in the list.</summary>
    public bool IncludesSelf { get; set; } = true;

    public IReadOnlyList<string> Folders { get; set; } = [];

    public IReadOnlyList<string> Excluded { get; set; } = [];

    /// <summary>The role name to assume, <see cref="MemberRole"/> or the default.</summary>
    public string Role => MemberRole ?? DefaultMemberRole;

    /// <summary>Whether any account other than the function's own is swept (and so STS is called).</summary>
    public bool HasMembers => Scope == AccountScope.ResourceDirectory || Accounts.Count > 0;

    /// <summary>The ARN of <see cref="Role"/> in <paramref name="accountId"/>.</summary>
    public string RoleArn(string accountId) => $"acs:ram::{accountId}:role/{Role}";

    // Alibaba Cloud account ids are 16 digits today; any run of digits up to 32 is accepted so that a longer id is not refused.
    internal static bool IsAccountId(string value) => value.Length is >= 5 and <= 32 && value.All(char.IsAsciiDigit);

    private static bool IsRoleName(string role) =>
        role.Length is > 0 and <= 64 && role.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private static bool IsFolderId(string folder) =>
        folder.Length is > 3 and <= 64 && folder.StartsWith("fd-", StringComparison.Ordinal) && folder[3..].All(char.IsAsciiLetterOrDigit);

    /// <summary>Derives the typed values from the bound ones; a blank variable means "not set".</summary>
    internal void Normalise()
    {
        AccountList = Text(AccountList);
        MemberRole = Text(MemberRole);
        FolderList = Text(FolderList);
        ExcludeList = Text(ExcludeList);
        accountTokens = Split(AccountList);
        Folders = Split(FolderList);
        Excluded = Split(ExcludeList);
        if (accountTokens is [] || accountTokens is [var only] && string.Equals(only, SelfValue, StringComparison.OrdinalIgnoreCase))
        {
            Scope = AccountScope.Self;
        }
        else if (accountTokens is [var rd] && string.Equals(rd, ResourceDirectoryValue, StringComparison.OrdinalIgnoreCase))
        {
            Scope = AccountScope.ResourceDirectory;
        }
        else
        {
            Scope = AccountScope.List;
            IncludesSelf = accountTokens.Any(t => string.Equals(t, SelfValue, StringComparison.OrdinalIgnoreCase));
            Accounts = [.. accountTokens.Where(t => !string.Equals(t, SelfValue, StringComparison.OrdinalIgnoreCase)).Except(Excluded, StringComparer.Ordinal)];
        }
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Scope == AccountScope.List)
        {
            if (accountTokens.Any(t => string.Equals(t, ResourceDirectoryValue, StringComparison.OrdinalIgnoreCase)))
            {
                yield return new ValidationResult(
                    "ACKFC_ACCOUNTS: resource-directory stands alone (all members); use ACKFC_RD_FOLDERS and ACKFC_ACCOUNTS_EXCLUDE to narrow it.", [nameof(AccountList)]);
            }

            // Account ids are not secrets: naming the wrong one helps.
            foreach (var token in accountTokens.Where(t => !string.Equals(t, SelfValue, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(t, ResourceDirectoryValue, StringComparison.OrdinalIgnoreCase) && !IsAccountId(t)))
            {
                yield return new ValidationResult(
                    $"ACKFC_ACCOUNTS: '{Shown(token)}' is not an account id (digits, e.g. 1234567890123456), self or resource-directory.", [nameof(AccountList)]);
            }
        }

        if (MemberRole is { } role && !IsRoleName(role))
        {
            yield return new ValidationResult(
                $"ACKFC_MEMBER_ROLE: '{Shown(role)}' is not a RAM role name (1 to 64 letters, digits, '.', '-' or '_'; the name, not the ARN).", [nameof(MemberRole)]);
        }

        if (Folders.Count > 0 && Scope != AccountScope.ResourceDirectory)
        {
            yield return new ValidationResult("ACKFC_RD_FOLDERS applies only with ACKFC_ACCOUNTS=resource-directory.", [nameof(FolderList)]);
        }

        foreach (var folder in Folders.Where(f => !IsFolderId(f)))
        {
            yield return new ValidationResult($"ACKFC_RD_FOLDERS: '{Shown(folder)}' is not a folder id such as fd-bVaRIG3Xk2.", [nameof(FolderList)]);
        }

        foreach (var account in Excluded.Where(a => !IsAccountId(a)))
        {
            yield return new ValidationResult($"ACKFC_ACCOUNTS_EXCLUDE: '{Shown(account)}' is not an account id.", [nameof(ExcludeList)]);
        }

        if (Excluded.Count > 0 && Scope == AccountScope.Self)
        {
            yield return new ValidationResult("ACKFC_ACCOUNTS_EXCLUDE applies only with a list of accounts or resource-directory in ACKFC_ACCOUNTS.", [nameof(ExcludeList)]);
        }

        if (Scope == AccountScope.List && Accounts.Count == 0 && !IncludesSelf)
        {
            yield return new ValidationResult("ACKFC_ACCOUNTS: every account listed is excluded by ACKFC_ACCOUNTS_EXCLUDE; nothing would be swept.", [nameof(AccountList)]);
        }
    }

    /// <summary>Binds the settings; a value the binder cannot convert fails validation naming the variable.</summary>
    internal static void Bind(IConfiguration configuration, AccountOptions options)
    {
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(AccountOptions), [e.Message]);
        }
    }

    private static List<string> Split(string? value) =>
        value is null ? [] : [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // A value shown back in a message: one short line.
    private static string Shown(string value) => new([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}

/// <summary>Source-generated validator of <see cref="AccountOptions"/> (AOT-safe).</summary>
[OptionsValidator]
internal sealed partial class AccountOptionsValidator : IValidateOptions<AccountOptions>;
