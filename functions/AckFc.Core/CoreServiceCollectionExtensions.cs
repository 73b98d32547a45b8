using AckFc.Core.Accounts;
using AckFc.Core.Compliance;
using AckFc.Core.Encryption;
using AckFc.Core.Policy;
using AckFc.Core.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AckFc.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// The shared service: settings from the environment (contracts §1), the policy (loaded once), the audit sink,
    /// <see cref="IEncryptionService"/> and <see cref="IComplianceService"/>. Expects IAckClient and IKmsClient (AddAlibabaCloud).
    /// </summary>
    public static IServiceCollection AddAckFcCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<AckFcCoreOptions, AckFcCoreOptionsValidator>()
            .Configure(o => AckFcCoreOptions.Bind(configuration, o))
            .PostConfigure(static o => o.Normalise());
        // The services take the options themselves (one instance per host): resolving them validates them.
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AckFcCoreOptions>>().Value);
        services.AddOptionsWithValidateOnStart<AccountOptions, AccountOptionsValidator>()
            .Configure(o => AccountOptions.Bind(configuration, o))
            .PostConfigure(static o => o.Normalise());
        services.TryAddSingleton<IPolicyProvider>(sp => new FilePolicyProvider(sp.GetRequiredService<AckFcCoreOptions>().PolicyPath));
        services.TryAddSingleton<IAuditSink, LogAuditSink>();
        services.TryAddSingleton<ChangeLocks>();
        services.TryAddScoped<IEncryptionService, EncryptionService>();
        services.TryAddScoped<IComplianceService, ComplianceService>();
        return services;
    }
}
