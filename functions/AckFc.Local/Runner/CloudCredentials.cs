using System.Net.Http.Headers;
using System.Text.Json;
using AckFc.AlibabaCloud.Credentials;

namespace AckFc.Local.Runner;

/// <summary>
/// The credentials of a sweep run from a workstation, found the way the <c>aliyun</c> CLI and the SDKs find them:
/// <c>--profile</c>; else the environment's access key; else <c>ALIBABA_CLOUD_PROFILE</c>; else the CLI configuration's
/// current profile. A profile that assumes a role (<c>RamRoleArn</c>) or uses the instance's role (<c>EcsRamRole</c>)
/// is turned into temporary credentials here, once, before the host starts: the host then runs with a plain key
/// pair, as on Function Compute.
/// </summary>
internal sealed class CloudCredentials(
    Func<string, string?> environment,
    Func<CliProfile, CancellationToken, Task<AlibabaCloudCredentials>> assumeRole,
    HttpMessageHandler? metadataHandler = null)
{
    /// <summary>The ECS metadata service (IMDS); <c>ACKFC_ECS_METADATA_ENDPOINT</c> points elsewhere (tests, a proxy).</summary>
    public const string DefaultMetadataEndpoint = "http://100.100.100.200";

    /// <summary>What was used, for the one line the command prints (never a secret).</summary>
    public sealed record Resolved(AlibabaCloudCredentials Credentials, string Source, string? Region);

    /// <param name="configPath">The CLI configuration; null for the current user's <c>~/.aliyun/config.json</c>.</param>
    public async Task<Resolved> ResolveAsync(string? profileName, string? configPath, CancellationToken cancellationToken)
    {
        configPath ??= CliConfigReader.DefaultPath;
        if (!string.IsNullOrWhiteSpace(profileName))
        {
            return await FromProfileAsync(CliConfigReader.Read(configPath, profileName), configPath, cancellationToken).ConfigureAwait(false);
        }

        // The host's own chain reads the same variables the same way.
        if (EnvironmentCredentials.Read(environment) is { } fromEnvironment)
        {
            return new Resolved(fromEnvironment, $"the environment ({EnvironmentCredentials.AccessKeyIdVariable})", null);
        }

        if (Setting(EnvironmentCredentials.ProfileVariable) is { } named)
        {
            return await FromProfileAsync(CliConfigReader.Read(configPath, named), configPath, cancellationToken).ConfigureAwait(false);
        }

        if (File.Exists(configPath))
        {
            return await FromProfileAsync(CliConfigReader.Read(configPath, null), configPath, cancellationToken).ConfigureAwait(false);
        }

        throw new CredentialsNotFoundException(
            $"No credentials for the cloud sweep. Tried: --profile (not given); {EnvironmentCredentials.AccessKeyIdVariable} and " +
            $"{EnvironmentCredentials.AccessKeySecretVariable} (not set); {EnvironmentCredentials.ProfileVariable} (not set); the aliyun CLI " +
            $"configuration '{configPath}' (absent). Run `aliyun configure --profile <name>` and pass --profile <name>, or set the two variables.");
    }

    private async Task<Resolved> FromProfileAsync(CliProfile profile, string configPath, CancellationToken cancellationToken)
    {
        var source = $"aliyun CLI profile '{profile.Name}' ({ModeName(profile.Mode)}) of {configPath}";
        return profile.Mode switch
        {
            CliProfileMode.AccessKey or CliProfileMode.StsToken => new Resolved(profile.Keys!, source, profile.RegionId),
            CliProfileMode.RamRoleArn => new Resolved(await assumeRole(profile, cancellationToken).ConfigureAwait(false), $"{source}, assumed {profile.RoleArn}", profile.RegionId),
            CliProfileMode.EcsRamRole => await FromInstanceRoleAsync(profile, source, cancellationToken).ConfigureAwait(false),
            _ => throw new CredentialsNotFoundException($"The {source} cannot be used."),
        };
    }

    private static string ModeName(CliProfileMode mode) => mode switch
    {
        CliProfileMode.AccessKey => "AK",
        CliProfileMode.StsToken => "StsToken",
        CliProfileMode.RamRoleArn => "RamRoleArn",
        _ => "EcsRamRole",
    };

    /// <summary>
    /// The instance role's temporary credentials from the ECS metadata service: a session token first (IMDSv2), then
    /// the role (named by the profile, or the one role the instance has), then its credentials.
    /// </summary>
    private async Task<Resolved> FromInstanceRoleAsync(CliProfile profile, string source, CancellationToken cancellationToken)
    {
        var endpoint = Setting("ACKFC_ECS_METADATA_ENDPOINT") ?? DefaultMetadataEndpoint;
        using var client = metadataHandler is null ? new HttpClient() : new HttpClient(metadataHandler, disposeHandler: false);
        client.BaseAddress = new Uri(endpoint.TrimEnd('/') + "/");
        client.Timeout = TimeSpan.FromSeconds(5);
        string token;
        try
        {
            using var tokenRequest = new HttpRequestMessage(HttpMethod.Put, "latest/api/token");
            tokenRequest.Headers.Add("X-aliyun-ecs-metadata-token-ttl-seconds", "300");
            using var tokenResponse = await client.SendAsync(tokenRequest, cancellationToken).ConfigureAwait(false);
            token = await Ok(tokenResponse, "the metadata token", cancellationToken).ConfigureAwait(false);
            var role = profile.EcsRoleName;
            if (role is null)
            {
                var roles = await GetAsync(client, "latest/meta-data/ram/security-credentials/", token, "the instance's role", cancellationToken).ConfigureAwait(false);
                role = roles.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
                    ?? throw new CredentialsNotFoundException($"The {source}: the instance has no RAM role attached.");
            }

            var body = await GetAsync(client, $"latest/meta-data/ram/security-credentials/{Uri.EscapeDataString(role)}", token, $"the credentials of role '{role}'", cancellationToken).ConfigureAwait(false);
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (Text("Code") is not "Success" || Text("AccessKeyId") is not { Length: > 0 } id || Text("AccessKeySecret") is not { Length: > 0 } secret)
            {
                throw new CredentialsNotFoundException($"The {source}: the metadata service answered for role '{role}' without usable credentials (Code {Text("Code") ?? "absent"}).");
            }

            return new Resolved(new AlibabaCloudCredentials(id, secret, Text("SecurityToken"), "ECS instance role"), $"{source}, role {role} of this ECS instance", profile.RegionId);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException { CancellationToken.IsCancellationRequested: false } or JsonException)
        {
            throw new CredentialsNotFoundException($"The {source}: the ECS metadata service at {endpoint} could not be used ({e.GetType().Name}); EcsRamRole works on an ECS instance only.");
        }
    }

    private static async Task<string> GetAsync(HttpClient client, string path, string token, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-aliyun-ecs-metadata-token", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await Ok(response, what, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> Ok(HttpResponseMessage response, string what, CancellationToken cancellationToken) =>
        response.IsSuccessStatusCode
            ? await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)
            : throw new CredentialsNotFoundException($"The ECS metadata service refused {what} (HTTP {(int)response.StatusCode}).");

    private string? Setting(string name) => environment(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
