using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Sts;
using AckFc.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AckFc.Local.Runner;

/// <summary>
/// <c>sweep --cloud</c>: a real account swept from a workstation, with the credentials the <c>aliyun</c> CLI already has.
/// No second implementation of the sweep: the function host starts in this process with the compliance function
/// only, and one timer invocation runs through <c>POST /invoke</c>, as on Function Compute.
/// </summary>
internal static class CloudSweepCommand
{
    public const string Usage =
        """
        Usage: dotnet run --project functions/AckFc.Local -- sweep --cloud [options]

        Sweeps a real Alibaba Cloud account from this machine: the AckFc function host runs here with the compliance
        function only, one timer invocation sweeps the regions, and the table and the report files are printed.
        Read-only unless --mode remediate (which also needs a policy that allows the action).

        Credentials, the first found: --profile NAME, a profile of the aliyun CLI (modes AK, StsToken, RamRoleArn,
        which assumes its role through STS first, and EcsRamRole on an ECS instance); ALIBABA_CLOUD_ACCESS_KEY_ID and
        ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN); the profile ALIBABA_CLOUD_PROFILE names;
        the CLI's current profile. The RAM user or role needs the compliance role's read actions (docs/deployment.md).

        Options:
          --profile NAME            an aliyun CLI profile (aliyun configure --profile NAME)
          --cli-config FILE         the aliyun CLI configuration (default ~/.aliyun/config.json)
          --regions a,b             the regions to sweep (default ACKFC_REGIONS, else the profile's region)
          --mode report|remediate   what the sweep does (default report: reads only)
          --policy FILE             the policy (default the bundled one, which changes nothing)
          --report-dir DIR          where reports go (default ./reports)
          --endpoint URL            send every CS, KMS and STS call to URL instead of Alibaba Cloud (the emulator)
          --verbose                 the host's log lines too
        """;

    private static readonly string[] Flags = ["--cloud", "--verbose"];

    private static readonly string[] Valued = ["--profile", "--cli-config", "--regions", "--mode", "--policy", "--report-dir", "--endpoint"];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        await RunAsync(args, stdout, stderr, Environment.GetEnvironmentVariable, null, cancellationToken).ConfigureAwait(false);

    /// <param name="environment">The process environment (tests give their own).</param>
    /// <param name="metadataHandler">The HTTP handler for the ECS metadata service (tests give a loopback one).</param>
    internal static async Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, HttpMessageHandler? metadataHandler, CancellationToken cancellationToken)
    {
        if (args.Contains("-h") || args.Contains("--help"))
        {
            await stdout.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        var (options, problem) = Parse(args);
        if (options is null)
        {
            await stderr.WriteLineAsync(problem + Environment.NewLine + Environment.NewLine + Usage).ConfigureAwait(false);
            return 2;
        }

        var endpoint = options.GetValueOrDefault("--endpoint");
        CloudCredentials.Resolved credentials;
        try
        {
            var resolver = new CloudCredentials(environment, (profile, ct) => AssumeRoleAsync(profile, endpoint, ct), metadataHandler);
            credentials = await resolver.ResolveAsync(options.GetValueOrDefault("--profile"), options.GetValueOrDefault("--cli-config"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CredentialsNotFoundException or AlibabaCloudException)
        {
            // Both say what is wrong without a secret (the cloud's code and request id for a refused AssumeRole).
            await stderr.WriteLineAsync($"Cannot sweep: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        var regions = options.GetValueOrDefault("--regions") ?? environment("ACKFC_REGIONS") ?? credentials.Region;
        if (string.IsNullOrWhiteSpace(regions))
        {
            await stderr.WriteLineAsync($"--regions is required: the profile names no region and ACKFC_REGIONS is not set.{Environment.NewLine}{Environment.NewLine}{Usage}").ConfigureAwait(false);
            return 2;
        }

        var mode = options.GetValueOrDefault("--mode") ?? "report";
        var reportDirectory = options.GetValueOrDefault("--report-dir") ?? "reports";
        var verbose = options.ContainsKey("--verbose");
        List<string> settings =
        [
            "ACKFC_FUNCTION=compliance",
            $"ACKFC_REGIONS={regions}",
            $"ALIBABA_CLOUD_ACCESS_KEY_ID={credentials.Credentials.AccessKeyId}",
            $"ALIBABA_CLOUD_ACCESS_KEY_SECRET={credentials.Credentials.AccessKeySecret}",
            $"ALIBABA_CLOUD_SECURITY_TOKEN={credentials.Credentials.SecurityToken ?? string.Empty}",
            $"ACKFC_REPORT_DIR={reportDirectory}",
        ];
        if (options.GetValueOrDefault("--policy") is { } policy)
        {
            settings.Add($"ACKFC_POLICY={policy}");
        }

        if (endpoint is not null)
        {
            settings.AddRange([$"ACKFC_CS_ENDPOINT={endpoint}", $"ACKFC_KMS_ENDPOINT={endpoint}", $"ACKFC_STS_ENDPOINT={endpoint}"]);
        }

        await stdout.WriteLineAsync($"Credentials: {credentials.Source}").ConfigureAwait(false);
        await stdout.WriteLineAsync($"Sweeping {regions} ({(endpoint is null ? "Alibaba Cloud" : endpoint)}), mode {mode} …").ConfigureAwait(false);
        await using var host = FunctionsHost.Build([.. settings], builder =>
        {
            builder.Urls = "http://127.0.0.1:0";
            builder.Logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
        });
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var (report, status, body) = await LocalRun.FireTimerAsync(host, $"{{\"mode\":\"{mode}\"}}", DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
        if (report is null)
        {
            await stderr.WriteLineAsync($"The sweep failed (HTTP {status}): {body}").ConfigureAwait(false);
            return 1;
        }

        new ConsoleReportTable(stdout, ConsoleReportTable.ColourWanted()).Write(report);
        await stdout.WriteLineAsync().ConfigureAwait(false);
        await SweepCommand.WriteReportFilesAsync(stdout, reportDirectory, report.SweepId).ConfigureAwait(false);
        if (status != 200)
        {
            await stderr.WriteLineAsync($"The sweep is incomplete (HTTP {status}): {body}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    /// <summary>A <c>RamRoleArn</c> profile's role, assumed once with the profile's own keys.</summary>
    private static async Task<AlibabaCloudCredentials> AssumeRoleAsync(CliProfile profile, string? endpoint, CancellationToken cancellationToken)
    {
        var region = profile.StsRegion ?? profile.RegionId ?? "cn-hangzhou";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = profile.Keys!.AccessKeyId,
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = profile.Keys.AccessKeySecret,
            ["ACKFC_STS_ENDPOINT"] = endpoint,
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddAlibabaCloud(configuration).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var sts = scope.ServiceProvider.GetRequiredService<IStsClient>();
        var assumed = await sts.AssumeRoleAsync(region, profile.RoleArn!, profile.SessionName!, profile.Duration ?? CliConfigReader.DefaultRoleDuration, cancellationToken).ConfigureAwait(false);
        return assumed.Credentials;
    }

    /// <summary>The options given, or what is wrong with them (the first problem).</summary>
    private static (Dictionary<string, string>? Options, string? Problem) Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (Flags.Contains(args[i]))
            {
                options[args[i]] = string.Empty;
                continue;
            }

            if (!Valued.Contains(args[i]))
            {
                return (null, $"Unknown option '{args[i]}' for sweep --cloud.");
            }

            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                return (null, $"{args[i]} needs a value.");
            }

            if (args[i] == "--mode" && args[i + 1] is not ("report" or "remediate"))
            {
                return (null, $"--mode must be report or remediate, not '{args[i + 1]}'.");
            }

            options[args[i]] = args[++i];
        }

        return (options, null);
    }
}
