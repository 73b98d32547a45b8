namespace AckFc.Worker;

/// <summary>Names a function; the name is what s.yaml deploys and logs show.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FunctionAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
