using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AckFc.Local.Emulator;

/// <summary>
/// STS (2015-04-01, RPC): <c>AssumeRole</c> of a member account's role by the management account. The credentials
/// it issues open that member's clusters and keys only, until <c>Expiration</c>.
/// </summary>
internal sealed partial class StsApi(EmulatorState state)
{
    public const string Version = "2015-04-01";

    private const string NoTrustMessage =
        "No permission perform sts:AssumeRole on this Role. Maybe you are not authorized to do it, or the Role's trust policy does not allow it.";

    public static bool Knows(string action) => action == "AssumeRole";

    public ApiResponse Handle(ApiRequest r, VerifiedCaller caller)
    {
        var roleArn = r.Required("RoleArn");
        var sessionName = r.Required("RoleSessionName");
        if (!SessionNamePattern().IsMatch(sessionName))
        {
            throw new ApiException(400, "InvalidParameter.RoleSessionName", "The parameter RoleSessionName is wrongly formed.");
        }

        if (r.Param("Policy") is { Length: > 0 } policy && !IsPolicy(policy))
        {
            throw new ApiException(400, "InvalidParameter.PolicyGrammar", "The parameter Policy has not passed grammar check.");
        }

        var match = RoleArnPattern().Match(roleArn);
        if (!match.Success)
        {
            throw new ApiException(400, "InvalidParameter.RoleArn", "The parameter RoleArn is wrongly formed.");
        }

        var accountId = match.Groups[1].Value;
        var roleName = match.Groups[2].Value;
        r.AccountId = accountId;
        if (caller.Identity.Type == "root-account")
        {
            throw new ApiException(403, "NoPermission", "Roles may not be assumed by root accounts.");
        }

        lock (state.Gate)
        {
            var account = state.FindAccount(accountId);
            if (account is null || account.Role is null || !string.Equals(account.Role, roleName, StringComparison.OrdinalIgnoreCase))
            {
                throw new ApiException(404, "EntityNotExist.Role", $"The role not exists: {roleArn}.");
            }

            // The member role trusts the management account only: not a member's own STS credentials, and not a
            // member that has not (yet) joined the resource directory.
            if (caller.Session is not null || account.IsManagement || !account.Joined)
            {
                throw new ApiException(403, "NoPermission", NoTrustMessage);
            }

            var duration = Duration(r.Param("DurationSeconds"), account.MaxSessionDuration);
            if (state.TakeAssumeRoleThrottle(account))
            {
                throw new ApiException(400, "Throttling.Api", "Request was denied due to api flow control.");
            }

            var expiration = EmulatorState.TruncateToSecond(r.Now + TimeSpan.FromSeconds(duration));
            var session = state.IssueSession(account, sessionName, expiration);
            var roleId = RoleIdOf(account.AccountId, account.Role);
            return new(200, Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("RequestId", r.RequestId);
                w.WriteStartObject("AssumedRoleUser");
                w.WriteString("AssumedRoleId", $"{roleId}:{sessionName}");
                w.WriteString("Arn", $"acs:ram::{account.AccountId}:role/{account.Role.ToLowerInvariant()}/{sessionName}");
                w.WriteEndObject();
                w.WriteStartObject("Credentials");
                w.WriteString("SecurityToken", session.SecurityToken);
                w.WriteString("AccessKeyId", session.AccessKeyId);
                w.WriteString("AccessKeySecret", session.AccessKeySecret);
                w.WriteString("Expiration", expiration.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                w.WriteEndObject();
                if (r.Param("SourceIdentity") is { Length: > 0 } source)
                {
                    w.WriteString("SourceIdentity", source);
                }

                w.WriteEndObject();
            }));
        }
    }

    private static int Duration(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Math.Min(3600, max);
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 900 || seconds > max)
        {
            var upper = max == 3600 ? "1hr" : $"{max}s";
            throw new ApiException(400, "InvalidParameter.DurationSeconds", $"The Min/Max value of DurationSeconds is 15min/{upper}.");
        }

        return seconds;
    }

    private static bool IsPolicy(string policy)
    {
        if (policy.Length > 2048)
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(policy);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("Statement", out var statement)
                && statement.ValueKind == JsonValueKind.Array;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // A stable role id per account and role, digits like the real ones.
    private static string RoleIdOf(string accountId, string role)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(accountId + "/" + role.ToLowerInvariant()));
        return (BitConverter.ToUInt64(hash, 0) % 90_000_000_000_000_000UL + 10_000_000_000_000_000UL).ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^[A-Za-z0-9.@_-]{2,64}$")]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^acs:ram::([0-9]+):role/([A-Za-z0-9._-]{1,64})$")]
    private static partial Regex RoleArnPattern();
}
