namespace AckFc.Worker;

/// <summary>
/// Marks the request parameter of a function called through a Function Compute HTTP trigger. Several classes may
/// serve one function name, each with its own <see cref="Route"/>; the host answers 404 for a path no route matches,
/// 405 (with <c>Allow</c>) for a method its route does not take.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class HttpTriggerAttribute(params string[] methods) : Attribute
{
    public IReadOnlyList<string> Methods { get; } = methods;

    /// <summary>
    /// The path it serves, e.g. <c>clusters/{clusterId}/kms</c>: literal segments and <c>{name}</c> values, matched on
    /// the raw request target, each segment percent-decoded once (<see cref="HttpRequestData.RouteValues"/>). Null: every path.
    /// </summary>
    public string? Route { get; init; }
}
