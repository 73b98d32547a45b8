using AckFc.Core.Reporting;

namespace AckFc.Core.Tests.Reporting;

/// <summary>A store failure while publishing comes back as one exception with the report and where it was to go.</summary>
public sealed class ReportPublisherFailureTests
{
    [Fact]
    public async Task PublishAsync_StoreFails_ReportPublishExceptionWithReportAndLocation_NothingLatest()
    {
        using var h = new ReportingHarness(new Dictionary<string, string?>());
        // A file where the report directory should be: every write of the set fails.
        await File.WriteAllTextAsync(h.Directory, "not a directory");
        try
        {
            var report = ReportFixtures.DemoFleet(hostile: false);

            var failure = await Assert.ThrowsAsync<ReportPublishException>(() => h.Publisher.PublishAsync(report));

            Assert.Equal(Path.GetFullPath(h.Directory), failure.Store);
            Assert.Equal(h.Store.Location, failure.Store);
            Assert.Equal(report.SweepId, failure.Report.SweepId);
            Assert.IsAssignableFrom<IOException>(failure.InnerException);
            Assert.Matches("^[A-Za-z]*Exception: ", failure.Cause);
            Assert.Contains(failure.Store, failure.Message, StringComparison.Ordinal);
            Assert.Null(await h.Store.LoadLatestAsync());
            Assert.DoesNotContain(" published: ", h.AllLogText, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(h.Directory);
        }
    }
}
