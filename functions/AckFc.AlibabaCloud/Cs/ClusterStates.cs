namespace AckFc.AlibabaCloud.Cs;

/// <summary>The lifecycle states of <see cref="AckCluster.State"/> that AckFc acts on, spelled as ACK reports them.</summary>
public static class ClusterStates
{
    /// <summary>The cluster takes changes.</summary>
    public const string Running = "running";

    /// <summary>A change is being applied.</summary>
    public const string Updating = "updating";
}
