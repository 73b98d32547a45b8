using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AckFc.Core.Guard;

/// <summary>Registers the key guard.</summary>
public static class GuardServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IGuardService"/> (scoped: it signs with the invocation's credentials) and the instance's guard
    /// memory. Expects AddAckFcCore (settings, policy, audit, encryption changes) and, for notifications and the
    /// store-backed de-duplication, AddAckFcReporting.
    /// </summary>
    public static IServiceCollection AddAckFcGuard(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GuardState>();
        services.TryAddScoped<IGuardService, GuardService>();
        return services;
    }
}
