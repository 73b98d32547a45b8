using AckFc.Core.Guard;

namespace AckFc.Functions.Tests.Guard;

/// <summary>A stand-in for Core's guard: records what the function handed it and answers what the test set.</summary>
internal sealed class RecordingGuardService : IGuardService
{
    private readonly List<(byte[] Body, GuardInvocation Invocation)> calls = [];

    public Func<GuardAnswer> Answer { get; set; } = () => new GuardAnswer { Events = [] };

    public IReadOnlyList<(byte[] Body, GuardInvocation Invocation)> Calls
    {
        get
        {
            lock (calls)
            {
                return [.. calls];
            }
        }
    }

    public Task<GuardAnswer> HandleAsync(ReadOnlyMemory<byte> body, GuardInvocation invocation, CancellationToken cancellationToken = default)
    {
        lock (calls)
        {
            calls.Add((body.ToArray(), invocation));
        }

        return Task.FromResult(Answer());
    }
}
