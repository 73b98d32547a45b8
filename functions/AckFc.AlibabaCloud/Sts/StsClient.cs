using System.Globalization;
using System.Text.Json;
using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Http;

namespace AckFc.AlibabaCloud.Sts;

/// <summary>STS over RPC: <c>POST /</c> with every parameter in the query and an empty body, signed V3.</summary>
internal sealed class StsClient(AcsTransport transport) : IStsClient
{
    /// <summary>The <see cref="AlibabaCloudCredentials.Source"/> of assumed credentials, followed by the role ARN.</summary>
    public const string SourcePrefix = "AssumeRole ";

    public async Task<AssumedRole> AssumeRoleAsync(
        string regionId, string roleArn, string sessionName, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        AlibabaCloudRegion.EnsureValid(regionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(roleArn);
        if (!roleArn.StartsWith("acs:ram::", StringComparison.Ordinal) || !roleArn.Contains(":role/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{roleArn}' is not a role ARN: expected acs:ram::{{accountId}}:role/{{roleName}}.", nameof(roleArn));
        }

        StsRules.EnsureValidSessionName(sessionName, nameof(sessionName));
        StsRules.EnsureValidDuration(duration, nameof(duration));

        // Repeating an AssumeRole whose answer was lost only opens a second session, so it is retried like a read.
        var request = AcsRequest.Rpc(
            AcsService.Sts, regionId, "AssumeRole", isWrite: false,
            new KeyValuePair<string, string>("DurationSeconds", ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture)),
            new KeyValuePair<string, string>("RoleArn", roleArn),
            new KeyValuePair<string, string>("RoleSessionName", sessionName));
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Parse(request, response, roleArn);
    }

    // Not AcsTransport.Deserialize: its errors quote the start of the body, which here holds the secret and the token.
    private static AssumedRole Parse(AcsRequest request, AcsResponse response, string roleArn)
    {
        StsAssumeRoleResponse? result;
        try
        {
            result = JsonSerializer.Deserialize(response.Body, StsJsonContext.Default.StsAssumeRoleResponse);
        }
        catch (JsonException)
        {
            throw Invalid(request, response, "The answer is not JSON");
        }

        var wire = result?.Credentials;
        string? missing = wire switch
        {
            null => "Credentials",
            { AccessKeyId: null or "" } => "Credentials.AccessKeyId",
            { AccessKeySecret: null or "" } => "Credentials.AccessKeySecret",
            { SecurityToken: null or "" } => "Credentials.SecurityToken",
            { Expiration: null or "" } => "Credentials.Expiration",
            _ => null,
        };
        if (missing is not null)
        {
            throw Invalid(request, response, $"The answer has no {missing}");
        }

        if (!DateTimeOffset.TryParse(
                wire!.Expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expiration))
        {
            throw Invalid(request, response, $"Credentials.Expiration '{wire.Expiration}' is not a date");
        }

        var user = result!.AssumedRoleUser;
        var assumed = new AssumedRoleUser(
            string.IsNullOrEmpty(user?.AssumedRoleId) ? string.Empty : user.AssumedRoleId,
            string.IsNullOrEmpty(user?.Arn) ? string.Empty : user.Arn);
        var credentials = new AlibabaCloudCredentials(wire.AccessKeyId!, wire.AccessKeySecret!, wire.SecurityToken, SourcePrefix + roleArn);
        return new AssumedRole(credentials, expiration, assumed, string.IsNullOrEmpty(result.RequestId) ? response.RequestIdHeader : result.RequestId);
    }

    private static AlibabaCloudException Invalid(AcsRequest request, AcsResponse response, string problem) =>
        new(
            AlibabaCloudErrorKind.Transient, AcsErrors.InvalidResponseCode,
            $"{problem} (the body is not shown: it may hold credentials).",
            response.StatusCode, response.RequestIdHeader, request.Action);
}
