using System.Text.Json.Serialization;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Credentials;
using AckFc.Core;
using AckFc.Core.Encryption;
using AckFc.Core.Guard;
using AckFc.Core.Judging;
using AckFc.Core.Reporting;
using AckFc.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AckFc.Functions;

/// <summary>Which functions an instance serves (<c>ACKFC_FUNCTION</c>).</summary>
public enum FunctionSelection
{
    All,
    Webhook,
    Compliance,
    /// <summary>The key guard alone (<c>ACKFC_FUNCTION=guard</c>): the EventBridge function.</summary>
    Guard,
}

/// <summary>Builds the AckFc host: the same wiring for Function Compute, the local runner and the tests.</summary>
public static class FunctionsHost
{
    /// <param name="args">Command-line arguments.</param>
    /// <param name="configure">Overrides applied after the defaults (tests swap services, the local runner sets URLs).</param>
    public static FunctionsApplication Build(string[] args, Action<FunctionsApplicationBuilder>? configure = null)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        var configuration = builder.Configuration;
        var selection = SelectionOf(configuration);

        builder.Services.AddAlibabaCloud(configuration);
        builder.Services.AddAckFcCore(configuration);
        builder.Services.AddAckFcReporting(configuration);
        builder.Services.AddAckFcGuard(configuration);
        builder.Services.AddAckFcWebhook(configuration);
        builder.Services.AddSingleton<ISecretMasker>(sp => new HostSecretMasker(configuration, sp.GetRequiredService<WebhookOptions>()));
        builder.Services.TryAddSingleton<SweepGate>();
        builder.Services.TryAddScoped<SweepAndPublish>();
        if (selection is FunctionSelection.All or FunctionSelection.Webhook
            && WebhookKeySource.FromConfiguration(configuration, TimeProvider.System, NullLogger<WebhookKeySource>.Instance) is { } keySource)
        {
            builder.Services.TryAddSingleton(sp => new WebhookKeySource(
                keySource.SecretName, keySource.RegionId, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookKeySource>>()));
        }

        // Function Compute hands each invocation the role's STS credentials; they win over the environment.
        builder.UseMiddleware(static (context, next) =>
        {
            if (context.Credentials is { } credentials)
            {
                context.InstanceServices.GetRequiredService<InvocationCredentials>()
                    .TrySetFromHeaders(credentials.AccessKeyId, credentials.AccessKeySecret, credentials.SecurityToken);
            }

            return next();
        });

        // The webhook's keys from KMS, read with this invocation's role credentials (set just above).
        builder.UseMiddleware(static async (context, next) =>
        {
            if (context.InstanceServices.GetService<WebhookKeySource>() is { } keys)
            {
                await keys.RefreshIfDueAsync(context.InstanceServices.GetRequiredService<AckFc.AlibabaCloud.Kms.IKmsClient>(), context.CancellationToken);
            }

            await next();
        });

        // Every webhook route is signed: the worker routes, this checks the signature, then the function runs.
        builder.UseHttpMiddleware(WebhookAuthentication.InvokeAsync);

        if (selection is FunctionSelection.All or FunctionSelection.Webhook)
        {
            builder.AddFunction<WebhookFunction>().AddFunction<WebhookSweepFunction>();
            builder.Services.AddReplayMemoryStartLine();
        }

        if (selection is FunctionSelection.All or FunctionSelection.Compliance)
        {
            builder.AddFunction<ComplianceFunction>();
        }

        if (selection is FunctionSelection.All or FunctionSelection.Guard)
        {
            builder.AddFunction<GuardFunction>();
        }

        configure?.Invoke(builder);
        var app = builder.Build();

        // Fail at start, naming the variable, rather than on the first request: OptionsValidationException for a bad
        // setting, PolicyException for a bad policy.
        _ = app.Services.GetRequiredService<WebhookOptions>();
        _ = app.Services.GetRequiredService<Core.Policy.IPolicyProvider>().Current;
        _ = app.Services.GetRequiredService<Core.Settings.AckFcCoreOptions>();
        return app;
    }

    public static FunctionSelection SelectionOf(IConfiguration configuration) => configuration["ACKFC_FUNCTION"] switch
    {
        null or "" or "all" => FunctionSelection.All,
        "webhook" => FunctionSelection.Webhook,
        "compliance" => FunctionSelection.Compliance,
        "guard" => FunctionSelection.Guard,
        var other => throw Setting.Invalid("ACKFC_FUNCTION", $"ACKFC_FUNCTION must be webhook, compliance, guard or all, not '{other}'."),
    };
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChangeAnswer))]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(ClusterKmsStatus))]
[JsonSerializable(typeof(SweepAnswer))]
[JsonSerializable(typeof(GuardAnswer))]
internal sealed partial class FunctionsJsonContext : JsonSerializerContext;
