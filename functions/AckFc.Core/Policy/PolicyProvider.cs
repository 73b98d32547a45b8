namespace AckFc.Core.Policy;

/// <summary>The policy in force for this instance: loaded once at start, so a bad file fails the instance, not a request.</summary>
public interface IPolicyProvider
{
    LoadedPolicy Current { get; }
}

/// <summary>Loads <c>ACKFC_POLICY</c>, or the bundled policy when it is not set.</summary>
internal sealed class FilePolicyProvider(string? path) : IPolicyProvider
{
    public LoadedPolicy Current { get; } = path is null ? PolicyLoader.LoadBundled() : PolicyLoader.LoadFile(path);
}

/// <summary>A fixed policy, for tests and the local runner.</summary>
public sealed class StaticPolicyProvider(LoadedPolicy policy) : IPolicyProvider
{
    public LoadedPolicy Current { get; } = policy;
}
