using System.Globalization;
using AckFc.Local.Emulator;

namespace AckFc.Local;

/// <summary>
/// The environment variables a local AckFc host runs with, as Function Compute would set them (contracts §1): the
/// regions, the cloud endpoints, the credentials, and what the caller adds (policy, report store, webhook keys, …).
/// Built in this one place for the local runner, the published-binary tests and any other host started locally.
/// </summary>
public sealed record LocalHostEnvironment
{
    /// <summary><c>ACKFC_REGIONS</c>.</summary>
    public required IReadOnlyList<string> Regions { get; init; }

    /// <summary>The one URL that serves CS and KMS for every region (<c>ACKFC_CS_ENDPOINT</c>, <c>ACKFC_KMS_ENDPOINT</c>).</summary>
    public required string CloudEndpoint { get; init; }

    /// <summary><c>ALIBABA_CLOUD_ACCESS_KEY_ID</c>.</summary>
    public required string AccessKeyId { get; init; }

    /// <summary><c>ALIBABA_CLOUD_ACCESS_KEY_SECRET</c>.</summary>
    public required string AccessKeySecret { get; init; }

    /// <summary><c>ALIBABA_CLOUD_SECURITY_TOKEN</c>, when the credential has one.</summary>
    public string? SecurityToken { get; init; }

    /// <summary><c>ACKFC_POLICY</c>; unset means the bundled policy.</summary>
    public string? PolicyFile { get; init; }

    /// <summary><c>ACKFC_REPORT_DIR</c>.</summary>
    public string? ReportDirectory { get; init; }

    /// <summary><c>ACKFC_WEBHOOK_SECRETS</c> (<c>keyId:secret,…</c>).</summary>
    public string? WebhookSecrets { get; init; }

    /// <summary><c>ACKFC_FUNCTION</c>; unset means <c>all</c>.</summary>
    public string? Function { get; init; }

    /// <summary>
    /// <c>ACKFC_REPORT_STORE</c> as <c>oss://{bucket}/{prefix}</c> on the cloud endpoint's OSS, with the bucket in the
    /// first region (<c>FC_REGION</c>, <c>ACKFC_OSS_ENDPOINT</c>); null keeps reports in files.
    /// </summary>
    public string? OssReportStore { get; init; }

    /// <summary><c>FC_CUSTOM_LISTEN_PORT</c>, for a host process that listens where Function Compute says.</summary>
    public int? ListenPort { get; init; }

    /// <summary>The regions, endpoint and first credential of a running emulator.</summary>
    public static LocalHostEnvironment For(RunningEmulator emulator)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        return new LocalHostEnvironment
        {
            Regions = emulator.State.Regions,
            CloudEndpoint = emulator.Endpoint,
            AccessKeyId = emulator.Credential.AccessKeyId,
            AccessKeySecret = emulator.Credential.AccessKeySecret,
            SecurityToken = emulator.Credential.SecurityToken,
        };
    }

    /// <summary>The variables, set ones only, in a stable order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Variables()
    {
        var variables = new List<KeyValuePair<string, string>>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                variables.Add(new(name, value));
            }
        }

        Add("ACKFC_REGIONS", string.Join(',', Regions));
        Add("ACKFC_CS_ENDPOINT", CloudEndpoint);
        Add("ACKFC_KMS_ENDPOINT", CloudEndpoint);
        Add("ALIBABA_CLOUD_ACCESS_KEY_ID", AccessKeyId);
        Add("ALIBABA_CLOUD_ACCESS_KEY_SECRET", AccessKeySecret);
        Add("ALIBABA_CLOUD_SECURITY_TOKEN", SecurityToken);
        Add("ACKFC_POLICY", PolicyFile);
        Add("ACKFC_REPORT_DIR", ReportDirectory);
        Add("ACKFC_WEBHOOK_SECRETS", WebhookSecrets);
        Add("ACKFC_FUNCTION", Function);
        if (OssReportStore is { } store)
        {
            Add("ACKFC_REPORT_STORE", store);
            Add("FC_REGION", Regions[0]);
            Add("ACKFC_OSS_ENDPOINT", CloudEndpoint);
        }

        Add("FC_CUSTOM_LISTEN_PORT", ListenPort?.ToString(CultureInfo.InvariantCulture));
        return variables;
    }

    /// <summary>The variables as <c>NAME=value</c> arguments, the form the in-process host's configuration takes.</summary>
    public string[] Arguments() => [.. Variables().Select(v => $"{v.Key}={v.Value}")];

    /// <summary>Sets the variables in a process's environment (e.g. <c>ProcessStartInfo.Environment</c>).</summary>
    public void ApplyTo(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var (name, value) in Variables())
        {
            environment[name] = value;
        }
    }

    // Never print the credentials.
    public override string ToString() => $"LocalHostEnvironment {{ Regions = {string.Join(',', Regions)}, CloudEndpoint = {CloudEndpoint}, AccessKeyId = {AccessKeyId} }}";
}
