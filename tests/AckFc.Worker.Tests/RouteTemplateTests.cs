namespace AckFc.Worker.Tests;

/// <summary>Routes are matched on the raw request target, each segment percent-decoded exactly once.</summary>
public sealed class RouteTemplateTests
{
    [Theory]
    [InlineData("clusters/{clusterId}/kms", "/clusters/c-demo-1/kms", "c-demo-1")]
    [InlineData("clusters/{clusterId}/kms", "/clusters/c-demo-1/kms?x=1&y=%2F", "c-demo-1")]
    [InlineData("clusters/{clusterId}/kms", "/clusters/c%2Ddemo-1/kms", "c-demo-1")]
    [InlineData("clusters/{clusterId}/kms", "/clusters/c%252Ddemo-1/kms", "c%2Ddemo-1")]
    [InlineData("clusters/{clusterId}/kms", "/clusters/a%2Fb/kms", "a/b")]
    [InlineData("clusters/{clusterId}/kms", "/clusters/c-demo%0A/kms", "c-demo\n")]
    [InlineData("/clusters/{clusterId}/kms/", "clusters/c-1/kms/", "c-1")]
    [InlineData("clusters/{clusterId}/kms", "/clu%73ters/c-1/kms", "c-1")]
    public void Match_DecodesEachSegmentOnce(string template, string target, string clusterId)
    {
        var values = RouteTemplate.Parse(template).Match(RouteTemplate.RawSegments(target));

        Assert.NotNull(values);
        Assert.Equal(clusterId, values["clusterId"]);
    }

    [Theory]
    [InlineData("clusters/{clusterId}/kms", "/clusters/c-1")]
    [InlineData("clusters/{clusterId}/kms", "/clusters/c-1/kms/extra")]
    [InlineData("clusters/{clusterId}/kms", "/clusters/a/b/kms")]
    [InlineData("clusters/{clusterId}/kms", "/Clusters/c-1/kms")]
    [InlineData("clusters/{clusterId}/kms", "/clusters%2Fc-1/kms")]
    [InlineData("sweeps", "/sweeps/x")]
    [InlineData("sweeps", "/sweep%2573")]
    [InlineData("sweeps", "/")]
    public void Match_OtherPaths_Null(string template, string target) =>
        Assert.Null(RouteTemplate.Parse(template).Match(RouteTemplate.RawSegments(target)));

    [Theory]
    [InlineData("clusters/{}/kms")]
    [InlineData("clusters/{a-b}/kms")]
    [InlineData("clusters//kms")]
    [InlineData("clusters/x{id}/kms")]
    public void Parse_BadTemplate_Throws(string template) =>
        Assert.Throws<InvalidOperationException>(() => RouteTemplate.Parse(template));
}
